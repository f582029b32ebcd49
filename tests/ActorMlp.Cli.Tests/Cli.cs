using System.IO.Compression;
using System.Text.Json;

namespace ActorMlp.Cli.Tests;

/// <summary>What one in-process run of the command gave back.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    /// <summary>Standard error's lines, without blank ones.</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>Runs `actormlp` in-process with captured output; every run folder lives under a temp folder deleted on dispose.</summary>
public sealed class Cli : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("actormlp-cli-tests-").FullName;
    int _next;

    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CommandLineApp.Run(args, output, error);
        return new CliResult(code, output.ToString(), error.ToString());
    }

    /// <summary>A path under the temp folder that does not exist yet.</summary>
    public string NewPath(string stem = "run") => Path.Combine(Root, $"{stem}-{Interlocked.Increment(ref _next)}");

    public string Write(string name, string text)
    {
        string path = Path.Combine(Root, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Trains into a new run folder (in this process unless --workers is given) and insists that it worked.</summary>
    public string Train(params string[] args)
    {
        string run = NewPath();
        string[] workers = args.Contains("--workers") ? [] : ["--workers", "0"];
        var result = Run(["train", "--out", run, "--progress", "none", .. workers, .. args]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return run;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }

    public static JsonElement Summary(string run) => Json(File.ReadAllText(Path.Combine(run, "summary.json")));

    public static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static string Sha(string run) => Summary(run).GetProperty("parameters_sha256").GetString()!;
}

/// <summary>Files the repository ships, found by walking up from the test binaries to ActorMlp.sln.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    public static string Data(string name) => Path.Combine(Root, "data", name);

    static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ActorMlp.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no ActorMlp.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The embedded digits rows: 64 raw features (0..16) and the label, as text lines.</summary>
    public static string[] DigitsRows(int count)
    {
        using var stream = typeof(ActorMlp.Data.DatasetLoader).Assembly.GetManifestResourceStream("ActorMlp.Data.digits.csv.gz")!;
        using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress));
        var rows = new List<string>();
        while (rows.Count < count && reader.ReadLine() is { } line)
            if (line.Length > 0) rows.Add(line);
        return [.. rows];
    }
}
