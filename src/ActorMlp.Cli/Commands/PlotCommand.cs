using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Plots;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp plot RUN_DIR [RUN_DIR...] --out FILE.png [--width W --height H]`: the learning curves of
/// one run, or of several overlaid (a colour per run), from their metrics.csv; a run still going works too.
/// </summary>
internal static class PlotCommand
{
    public static int Run(ParsedArguments args, TextWriter output)
    {
        string target = args.Get("--out") ?? throw new UsageException("plot needs --out FILE.png (where the picture goes)");
        var folders = args.Operands ?? [];
        if (folders.Count == 0) throw new UsageException("plot needs at least one run folder: actormlp plot RUN_DIR [RUN_DIR...] --out FILE.png");
        int width = Pixels(args, "--width", CurvePlot.DefaultWidth);
        int height = Pixels(args, "--height", CurvePlot.DefaultHeight);
        string? parent = Path.GetDirectoryName(Path.GetFullPath(target));
        if (Directory.Exists(target)) throw new UsageException($"--out {target} is a folder, not a file");
        if (parent is not null && !Directory.Exists(parent)) throw new UsageException($"--out {target}: no such folder {parent}");

        var runs = folders.Select(RunCurves.Read).ToList();
        if (runs.Any(r => r.Regression) && !runs.All(r => r.Regression))
            throw new UsageException($"cannot overlay classification and regression runs ({runs.First(r => r.Regression).Name} is a regression run, {runs.First(r => !r.Regression).Name} is not)");
        try { CurvePlot.Write(target, runs, CurvePlot.Title(runs), width, height); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write {target}: {e.Message}", e);
        }
        output.WriteLine($"wrote {target} ({width}x{height}, {runs.Count} run{(runs.Count == 1 ? "" : "s")})");
        return 0;
    }

    static int Pixels(ParsedArguments args, string flag, int fallback)
    {
        const int min = 200, max = 8000;
        string? text = args.Get(flag);
        if (text is null) return fallback;
        return int.TryParse(text, out int n) && n >= min && n <= max ? n
            : throw new UsageException($"{flag} must be a whole number from {min} to {max}, got '{text}'");
    }
}
