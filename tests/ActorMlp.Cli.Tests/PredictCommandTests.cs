using System.Globalization;

namespace ActorMlp.Cli.Tests;

[Collection(nameof(TrainedRuns))]
public sealed class PredictCommandTests(TrainedRuns runs) : IDisposable
{
    readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    static double[] Numbers(string line) => line.Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The first n embedded digits rows: the 64 raw features as a CSV, and the labels.</summary>
    (string Path, int[] Labels) DigitsInput(int n, bool header)
    {
        var rows = Repository.DigitsRows(n);
        var features = rows.Select(r => string.Join(',', r.Split(',')[..64]));
        string text = (header ? string.Join(',', Enumerable.Range(0, 64).Select(i => $"pixel{i}")) + "\n" : "") + string.Join('\n', features) + "\n";
        return (_cli.Write($"digits-{n}-{header}.csv", text), rows.Select(r => int.Parse(r.Split(',')[64], CultureInfo.InvariantCulture)).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Predict_writes_a_class_and_probabilities_per_row(bool header)
    {
        var (input, labels) = DigitsInput(40, header);
        string output = Path.Combine(_cli.Root, $"predictions-{header}.csv");

        var result = Cli.Run("predict", "--model", runs.Digits, "--input", input, "--output", output);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = File.ReadAllLines(output);
        Assert.Equal("prediction," + string.Join(',', Enumerable.Range(0, 10).Select(j => $"p{j}")), lines[0]);
        Assert.Equal(41, lines.Length);
        int correct = 0;
        for (int r = 0; r < 40; r++)
        {
            var fields = lines[r + 1].Split(',');
            Assert.Equal(11, fields.Length);
            int predicted = int.Parse(fields[0], CultureInfo.InvariantCulture);
            Assert.InRange(predicted, 0, 9);
            var p = Numbers(string.Join(',', fields[1..]));
            Assert.All(p, v => Assert.InRange(v, 0, 1));
            Assert.Equal(1, p.Sum(), 5);
            Assert.Equal(Array.IndexOf(p, p.Max()), predicted);
            if (predicted == labels[r]) correct++;
        }
        Assert.True(correct >= 30, $"{correct} of 40 digits predicted right");
    }

    [Fact]
    public void Predict_writes_to_standard_output_without_an_output_file()
    {
        var (input, _) = DigitsInput(3, header: false);

        var result = Cli.Run("predict", "--model", runs.Digits, "--input", input);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("prediction,p0,", lines[0]);
    }

    [Fact]
    public void Predict_gives_regression_values_in_the_units_of_the_data()
    {
        var rows = File.ReadAllLines(Repository.Data("diabetes.csv"))[1..21];
        string input = _cli.Write("diabetes-x.csv", string.Join('\n', rows.Select(r => string.Join(',', r.Split(',')[..10]))) + "\n");
        var targets = rows.Select(r => double.Parse(r.Split(',')[10], CultureInfo.InvariantCulture)).ToArray();

        var result = Cli.Run("predict", "--model", runs.Diabetes, "--input", input);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("prediction", lines[0]);
        var predictions = lines[1..].Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(20, predictions.Length);
        Assert.InRange(predictions.Average(), 0.5 * targets.Average(), 1.5 * targets.Average());
        double rmse = Math.Sqrt(predictions.Zip(targets, (p, t) => (p - t) * (p - t)).Average());
        double spread = Math.Sqrt(targets.Select(t => (t - targets.Average()) * (t - targets.Average())).Average());
        Assert.True(rmse < spread, $"rmse {rmse}, spread of the targets {spread}");
    }

    [Theory]
    [InlineData(63)]
    [InlineData(65)]
    public void Predict_refuses_an_input_with_the_wrong_column_count(int columns)
    {
        string input = _cli.Write($"wide-{columns}.csv", string.Join(',', Enumerable.Repeat("1", columns)) + "\n");
        string output = Path.Combine(_cli.Root, $"never-{columns}.csv");

        var result = Cli.Run("predict", "--model", runs.Digits, "--input", input, "--output", output);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains(input, result.Error);
        Assert.Contains("64", result.Error);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Predict_refuses_a_non_numeric_input_naming_the_line()
    {
        string input = _cli.Write("text.csv", string.Join(',', Enumerable.Repeat("1", 64)) + "\n" + string.Join(',', Enumerable.Repeat("x", 64)) + "\n");

        var result = Cli.Run("predict", "--model", runs.Digits, "--input", input);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("line 2", result.Error);
    }

    [Fact]
    public void Predict_refuses_a_missing_input()
    {
        var result = Cli.Run("predict", "--model", runs.Digits);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--input", result.Error);
    }

    [Fact]
    public void Predict_refuses_a_missing_input_file_naming_it()
    {
        string input = Path.Combine(_cli.Root, "absent.csv");

        var result = Cli.Run("predict", "--model", runs.Digits, "--input", input);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(input, result.Error);
    }
}
