using System.Globalization;

namespace ActorMlp.Data;

/// <summary>
/// Reads comma-separated numbers. The first line is a header when any of its fields is not a
/// number. Every row must have as many fields as the first; every field must be a finite number;
/// blank lines are skipped. Errors name the file, line and column.
/// </summary>
internal static class CsvReader
{
    public static CsvTable Read(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            return Read(reader, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"cannot read {path}: {e.Message}", e);
        }
    }

    public static CsvTable Read(TextReader reader, string source)
    {
        string[]? columns = null;
        var values = new List<float>();
        var lines = new List<int>();
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var fields = line.Split(',');
            for (int i = 0; i < fields.Length; i++) fields[i] = fields[i].Trim().Trim('"').Trim();
            if (columns is null)
            {
                columns = fields;
                if (fields.Any(f => !IsNumber(f))) continue;
                columns = Enumerable.Range(1, fields.Length).Select(i => $"column{i}").ToArray();
            }
            if (fields.Length != columns.Length)
                throw new DataException($"{source} line {lineNumber}: expected {columns.Length} fields, found {fields.Length}");
            for (int i = 0; i < fields.Length; i++)
            {
                if (!float.TryParse(fields[i], NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                    throw new DataException($"{source} line {lineNumber}, column '{Excerpt.Of(columns[i])}': '{Excerpt.Of(fields[i])}' is not a finite number");
                values.Add(v);
            }
            lines.Add(lineNumber);
        }
        if (columns is null) throw new DataException($"{source} is empty");
        if (lines.Count == 0) throw new DataException($"{source} has a header but no data rows");
        return new CsvTable(source, columns, values.ToArray(), lines.ToArray());
    }

    static bool IsNumber(string field) => float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
