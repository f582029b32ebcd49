using System.Diagnostics;

namespace ActorMlp.Cli.Tests;

/// <summary>
/// The README's install: `dotnet pack` makes a dotnet tool package, `dotnet tool install` takes it
/// from a local folder, and the installed `actormlp` trains. Packs the build the test run already made.
/// </summary>
[Collection(nameof(ProductBuildOutput))]
public sealed class ToolPackageTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("actormlp-tool-").FullName;

#if DEBUG
    const string Configuration = "Debug";
#else
    const string Configuration = "Release";
#endif

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task The_packed_tool_installs_into_a_tool_path_and_trains()
    {
        string packages = Path.Combine(_root, "nupkg"), tools = Path.Combine(_root, "tools"), run = Path.Combine(_root, "run");
        string project = Path.Combine(Repository.Root, "src", "ActorMlp.Cli", "ActorMlp.Cli.csproj");

        var pack = await Dotnet(Repository.Root, "pack", project, "-c", Configuration, "--no-build", "-o", packages);
        Assert.True(pack.ExitCode == 0, pack.Text);
        string package = Assert.Single(Directory.GetFiles(packages, "ActorMlp.Cli.*.nupkg"));

        // From a folder outside the repository, as a user installs it: no global.json, no central package versions.
        var install = await Dotnet(_root, "tool", "install", "--tool-path", tools, "--add-source", packages, "ActorMlp.Cli",
            "--version", Path.GetFileNameWithoutExtension(package)["ActorMlp.Cli.".Length..]);
        Assert.True(install.ExitCode == 0, install.Text);

        var train = await Start(_root, Path.Combine(tools, "actormlp"), "train", "--workers", "0", "--epochs", "1", "--hidden", "8",
            "--progress", "none", "--out", run);
        Assert.True(train.ExitCode == 0, train.Text);
        Assert.Contains("parameters_sha256:", train.Text);
        Assert.True(File.Exists(Path.Combine(run, "summary.json")), train.Text);
    }

    static Task<(int ExitCode, string Text)> Dotnet(string folder, params string[] args) => Start(folder, "dotnet", args);

    static async Task<(int ExitCode, string Text)> Start(string folder, string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, $"{program} {string.Join(' ', args)}\n{await output}\n{await error}");
    }
}
