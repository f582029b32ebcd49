using System.Globalization;
using System.Text.Json;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Core.Checkpoints;

namespace ActorMlp.Cli.Runs;

/// <summary>
/// The folder a run writes: config.conf (the effective settings), metrics.csv (a row per epoch),
/// model.ckpt (the newest checkpoint), curves.png (the learning curves) and, last, summary.json. Every file is written whole to a
/// temporary name and renamed, so a reader never sees half of one; a folder without summary.json
/// is a run that has not finished.
/// </summary>
internal sealed class RunFolder
{
    public const string SummaryFile = "summary.json", MetricsFile = "metrics.csv", CheckpointFile = "model.ckpt", ConfigFile = "config.conf";

    public string Path { get; }
    readonly List<string> _metrics = [];

    RunFolder(string path) => Path = path;

    /// <summary>
    /// Reopens the folder of an interrupted run to resume it: metrics rows of epochs after
    /// <paramref name="completedEpochs"/> are dropped, since they will be written again.
    /// </summary>
    public static RunFolder Open(string path, long completedEpochs)
    {
        if (!Directory.Exists(path)) throw new UsageException($"--resume {path}: no such run folder");
        if (System.IO.File.Exists(System.IO.Path.Combine(path, SummaryFile)))
            throw new UsageException($"--resume {path}: that run has finished (it has a {SummaryFile})");
        var run = new RunFolder(path);
        string metrics = run.File(MetricsFile);
        if (System.IO.File.Exists(metrics))
        {
            var lines = System.IO.File.ReadAllLines(metrics).Where(l => l.Length > 0).ToList();
            if (lines.Count > 0)
            {
                run._metrics.Add(lines[0]);
                run._metrics.AddRange(lines.Skip(1).Where(l => long.TryParse(l.Split(',')[0], out long e) && e <= completedEpochs));
            }
        }
        return run;
    }

    /// <summary>Creates the folder; refuses one that exists and is not empty, so no run overwrites another.</summary>
    public static RunFolder Create(string requested, DateTime now)
    {
        string path = requested;
        if (string.IsNullOrWhiteSpace(path))
        {
            string stem = System.IO.Path.Combine("runs", now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
            path = stem;
            for (int i = 2; Directory.Exists(path); i++) path = $"{stem}-{i}";
        }
        else if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            throw new UsageException($"run folder {path} already exists and is not empty; choose another --out");
        else if (System.IO.File.Exists(path))
            throw new UsageException($"--out {path} is a file, not a folder");
        try { Directory.CreateDirectory(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot create run folder {path}: {e.Message}", e);
        }
        return new RunFolder(path);
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void WriteConfig(string hocon) => WriteAtomically(ConfigFile, hocon);

    /// <summary>The model as of the latest epoch end (and, at the end, the final one): what evaluate and predict read.</summary>
    public void WriteModel(Checkpoint checkpoint) => Core.Checkpoints.CheckpointFile.Write(File(CheckpointFile), checkpoint);

    /// <summary>The same from bytes already encoded, so an epoch end serialises its checkpoint once for both files.</summary>
    public void WriteModel(byte[] encoded) => Core.Checkpoints.CheckpointFile.Write(File(CheckpointFile), encoded);

    public CheckpointStore Checkpoints(int keep) => new(File(CheckpointStore.Folder), keep);

    public void AppendMetrics(IReadOnlyList<(string Column, double? Value)> row)
    {
        if (_metrics.Count == 0) _metrics.Add(string.Join(',', row.Select(c => c.Column)));
        _metrics.Add(string.Join(',', row.Select(c => c.Value is { } v ? v.ToString("G9", CultureInfo.InvariantCulture) : "")));
        WriteAtomically(MetricsFile, string.Join('\n', _metrics) + "\n");
    }

    public void WriteSummary(Summary summary)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };
        WriteAtomically(SummaryFile, JsonSerializer.Serialize(summary, options) + "\n");
    }

    void WriteAtomically(string name, string text)
    {
        string target = File(name), temporary = target + ".tmp";
        System.IO.File.WriteAllText(temporary, text);
        System.IO.File.Move(temporary, target, overwrite: true);
    }
}
