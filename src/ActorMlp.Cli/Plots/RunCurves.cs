using System.Globalization;
using System.Text.Json;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Runs;
using ActorMlp.Data;

namespace ActorMlp.Cli.Plots;

/// <summary>
/// The per-epoch figures of one run, read from its metrics.csv: loss, accuracy (classification)
/// or test RMSE (regression), and the learning rate. A column a run did not record is all NaN.
/// </summary>
internal sealed record RunCurves(
    string Name, double[] Epoch, double[] TrainLoss, double[] TestLoss,
    double[] TrainAccuracy, double[] TestAccuracy, double[] TestRmse, double[] LearningRate)
{
    /// <summary>What was trained, for the title ("digits, 64-32-10 relu, sgd"); null when unknown.</summary>
    public string? Description { get; init; }

    public bool Regression => TestAccuracy.All(double.IsNaN) && !TestRmse.All(double.IsNaN);

    /// <summary>Reads a run folder's metrics.csv; a missing or malformed file is a usage error naming it and the line.</summary>
    public static RunCurves Read(string runFolder)
    {
        if (!Directory.Exists(runFolder)) throw new UsageException($"{runFolder}: no such run folder");
        string path = Path.Combine(runFolder, RunFolder.MetricsFile);
        if (!File.Exists(path)) throw new UsageException($"{path}: no such file (a run writes it at the end of its first epoch)");
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot read {path}: {e.Message}", e);
        }
        return Parse(FolderName(runFolder), path, lines) with { Description = DescribeFromSummary(runFolder) };
    }

    public static string Describe(string dataset, IEnumerable<int> layers, string activation, string optimizer)
        => $"{dataset}, {string.Join('-', layers)} {activation}, {optimizer}";

    /// <summary>The description from summary.json; none while the run is going or when the file cannot be read.</summary>
    static string? DescribeFromSummary(string runFolder)
    {
        try
        {
            using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(runFolder, RunFolder.SummaryFile)));
            var root = summary.RootElement;
            return Describe(root.GetProperty("dataset").GetString()!, root.GetProperty("layers").EnumerateArray().Select(l => l.GetInt32()),
                root.GetProperty("activation").GetString()!, root.GetProperty("optimizer").GetString()!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The folder's own name, as a legend shows it.</summary>
    public static string FolderName(string runFolder) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runFolder)));

    static readonly string[] Required = ["epoch", "train_loss", "test_loss"];

    internal static RunCurves Parse(string name, string source, IReadOnlyList<string> lines)
    {
        if (lines.Count == 0 || lines[0].Length == 0) throw new UsageException($"{source} line 1: no header");
        string[] header = lines[0].Split(',');
        foreach (string column in Required)
            if (!header.Contains(column)) throw new UsageException($"{source} line 1: no '{column}' column");
        var columns = new Dictionary<string, List<double>>();
        foreach (string column in header) columns[column] = [];
        for (int i = 1; i < lines.Count; i++)
        {
            if (lines[i].Length == 0) continue;
            string[] fields = lines[i].Split(',');
            if (fields.Length != header.Length)
                throw new UsageException($"{source} line {i + 1}: expected {header.Length} fields, found {fields.Length}");
            for (int c = 0; c < header.Length; c++)
            {
                double value = double.NaN;
                if (fields[c].Length > 0 && (!double.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value)))
                    throw new UsageException($"{source} line {i + 1}, column '{Excerpt.Of(header[c])}': '{Excerpt.Of(fields[c])}' is not a finite number");
                if (double.IsNaN(value) && Required.Contains(header[c]))
                    throw new UsageException($"{source} line {i + 1}, column '{Excerpt.Of(header[c])}': empty");
                columns[header[c]].Add(value);
            }
        }
        int rows = columns["epoch"].Count;
        if (rows == 0) throw new UsageException($"{source} has a header but no epochs");
        double[] Column(string column) => columns.TryGetValue(column, out var values) ? [.. values] : Enumerable.Repeat(double.NaN, rows).ToArray();
        return new RunCurves(name, Column("epoch"), Column("train_loss"), Column("test_loss"), Column("train_accuracy"),
            Column("test_accuracy"), Column("test_rmse"), Column("learning_rate"));
    }
}
