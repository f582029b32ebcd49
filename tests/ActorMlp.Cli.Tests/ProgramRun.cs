using System.Diagnostics;

namespace ActorMlp.Cli.Tests;

/// <summary>
/// Runs a program outside this test process (dotnet pack or test, an installed tool, a published app)
/// in a folder; returns its exit code and a text of its command line and everything it printed. Past
/// the timeout (3 minutes unless given) it is killed with its children and the wait throws.
/// </summary>
public static class ProgramRun
{
    /// <summary>The configuration these tests were built in, which pack and publish reuse.</summary>
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static Task<(int ExitCode, string Text)> Dotnet(string folder, params string[] args) => Start(folder, "dotnet", args);

    public static async Task<(int ExitCode, string Text)> Start(string folder, string program, IReadOnlyList<string> args,
        TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(3));
        try { await process.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, $"{program} {string.Join(' ', args)}\n{await output}\n{await error}");
    }
}
