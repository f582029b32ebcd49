namespace ActorMlp.Data.Tests;

public sealed class CsvReaderTests : IDisposable
{
    readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    static CsvTable Read(string text, string source = "t.csv") => CsvReader.Read(new StringReader(text), source);

    static DataException Refused(string text, string source = "t.csv")
        => Assert.Throws<DataException>(() => Read(text, source));

    [Fact]
    public void A_first_line_with_a_name_is_the_header()
    {
        var table = Read("a,b,label\n1,2,0\n3.5,-4e2,1\n");

        Assert.Equal(["a", "b", "label"], table.Columns);
        Assert.Equal(2, table.Rows);
        Assert.Equal([1f, 2f, 0f, 3.5f, -400f, 1f], table.Values);
        Assert.Equal([2, 3], table.Lines);
    }

    [Fact]
    public void A_first_line_of_numbers_is_data_and_columns_get_generated_names()
    {
        var table = Read("1,2,0\n3,4,1\n");

        Assert.Equal(["column1", "column2", "column3"], table.Columns);
        Assert.Equal(2, table.Rows);
        Assert.Equal(1f, table[0, 0]);
        Assert.Equal(1f, table[1, 2]);
        Assert.Equal([1, 2], table.Lines);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_rows_keep_their_line_numbers()
    {
        var table = Read("\nx,y\n\n1,2\n   \n3,4\n\n");

        Assert.Equal(["x", "y"], table.Columns);
        Assert.Equal([1f, 2f, 3f, 4f], table.Values);
        Assert.Equal([4, 6], table.Lines);
    }

    [Fact]
    public void Quoted_fields_and_surrounding_spaces_are_accepted()
    {
        var table = Read("\"a\", \"b\"\n \"1.5\" , 2 \n");

        Assert.Equal(["a", "b"], table.Columns);
        Assert.Equal([1.5f, 2f], table.Values);
    }

    [Theory]
    [InlineData("a,b,c\n1,2,3\n4,5\n", 3)]
    [InlineData("a,b,c\n1,2,3\n\n4,5,6,7\n", 4)]
    [InlineData("1,2,3\n4,5,6\n7,8\n", 3)]
    public void A_ragged_row_is_refused_naming_the_file_and_line(string text, int line)
    {
        var e = Refused(text, "ragged.csv");

        Assert.Contains("ragged.csv", e.Message);
        Assert.Contains($"line {line}", e.Message);
    }

    [Fact]
    public void A_non_numeric_field_is_refused_naming_the_line_and_column()
    {
        var e = Refused("width,height,label\n1,2,0\n3,tall,1\n", "shapes.csv");

        Assert.Contains("shapes.csv", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("'height'", e.Message);
        Assert.Contains("tall", e.Message);
    }

    [Fact]
    public void A_binary_field_is_quoted_as_a_short_printable_excerpt()
    {
        string garbage = new(Enumerable.Range(0, 600).Select(i => (char)(i % 32 == 0 ? 'x' : i % 32)).ToArray());

        var e = Refused($"a,b\n1,2\n3,{garbage}\n");

        Assert.Contains("t.csv line 3, column 'b'", e.Message);
        Assert.True(e.Message.Length < 200, e.Message);
        Assert.DoesNotContain(e.Message, char.IsControl);
        Assert.Contains("\\u0001", e.Message);
    }

    [Fact]
    public void A_non_numeric_field_without_header_names_the_generated_column()
    {
        var e = Refused("1,2,0\n3,4,x\n");

        Assert.Contains("line 2", e.Message);
        Assert.Contains("'column3'", e.Message);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("∞")]
    [InlineData("1e39")]
    public void Values_that_are_not_finite_are_refused(string value)
    {
        var e = Refused($"a,b\n1,2\n{value},3\n");

        Assert.Contains("line 3", e.Message);
        Assert.Contains("'a'", e.Message);
    }

    [Fact]
    public void Not_finite_values_on_the_first_line_are_refused_too()
    {
        var e = Refused("NaN,1\n2,3\n");

        Assert.Contains("line 1", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \n")]
    public void An_empty_file_is_refused(string text)
    {
        var e = Refused(text, "empty.csv");

        Assert.Contains("empty.csv", e.Message);
        Assert.Contains("empty", e.Message.Replace("empty.csv", ""));
    }

    [Fact]
    public void A_header_without_rows_is_refused()
    {
        var e = Refused("a,b,label\n\n", "header.csv");

        Assert.Contains("header.csv", e.Message);
        Assert.Contains("no data rows", e.Message);
    }

    [Fact]
    public void A_file_on_disk_is_read_under_its_path()
    {
        string path = _temp.Write("x.csv", "p,q\n1,2\n");

        var table = CsvReader.Read(path);

        Assert.Equal(path, table.Source);
        Assert.Equal([1f, 2f], table.Values);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_it()
    {
        string path = _temp.File("absent.csv");

        var e = Assert.Throws<DataException>(() => CsvReader.Read(path));

        Assert.Contains(path, e.Message);
    }

    [Theory]
    [InlineData("b", 1)]
    [InlineData("B", 1)]
    [InlineData("0", 0)]
    [InlineData("2", 2)]
    [InlineData("-1", 2)]
    public void A_column_is_found_by_name_or_index(string nameOrIndex, int expected)
    {
        var table = Read("a,b,c\n1,2,3\n");

        Assert.Equal(expected, table.ColumnIndex(nameOrIndex));
    }

    [Theory]
    [InlineData("d")]
    [InlineData("3")]
    [InlineData("-4")]
    public void An_unknown_column_is_refused_naming_it(string nameOrIndex)
    {
        var table = Read("a,b,c\n1,2,3\n", "cols.csv");

        var e = Assert.Throws<DataException>(() => table.ColumnIndex(nameOrIndex));

        Assert.Contains("cols.csv", e.Message);
        Assert.Contains($"'{nameOrIndex}'", e.Message);
    }
}
