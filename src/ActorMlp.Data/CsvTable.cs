namespace ActorMlp.Data;

/// <summary>
/// A numeric CSV as read: the column names (generated as column1.. when there is no header row),
/// the values row-major, and the line each row came from.
/// </summary>
internal sealed record CsvTable(string Source, string[] Columns, float[] Values, int[] Lines)
{
    public int Rows => Lines.Length;
    public int Width => Columns.Length;

    public float this[int row, int column] => Values[row * Width + column];

    /// <summary>The column with this name, or at this 0-based index; a negative index counts from the end.</summary>
    public int ColumnIndex(string nameOrIndex)
    {
        int byName = Array.FindIndex(Columns, c => string.Equals(c, nameOrIndex, StringComparison.OrdinalIgnoreCase));
        if (byName >= 0) return byName;
        if (int.TryParse(nameOrIndex, out int index))
        {
            if (index < 0) index += Width;
            if (index >= 0 && index < Width) return index;
        }
        throw new DataException($"{Source} has no column '{Excerpt.Of(nameOrIndex)}' (columns: {string.Join(", ", Columns.Take(12).Select(Excerpt.Of))}{(Width > 12 ? ", …" : "")})");
    }
}
