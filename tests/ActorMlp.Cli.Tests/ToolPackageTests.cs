
namespace ActorMlp.Cli.Tests;

/// <summary>
/// The README's install: `dotnet pack` makes a dotnet tool package, `dotnet tool install` takes it
/// from a local folder, and the installed `actormlp` trains. Packs the build the test run already made.
/// </summary>
[Collection(nameof(ProductBuildOutput))]
public sealed class ToolPackageTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("actormlp-tool-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task The_packed_tool_installs_into_a_tool_path_and_trains()
    {
        string packages = Path.Combine(_root, "nupkg"), tools = Path.Combine(_root, "tools"), run = Path.Combine(_root, "run");
        string project = Path.Combine(Repository.Root, "src", "ActorMlp.Cli", "ActorMlp.Cli.csproj");

        var pack = await ProgramRun.Dotnet(Repository.Root, "pack", project, "-c", ProgramRun.Configuration, "--no-build", "-o", packages);
        Assert.True(pack.ExitCode == 0, pack.Text);
        string package = Assert.Single(Directory.GetFiles(packages, "ActorMlp.Cli.*.nupkg"));

        // From a folder outside the repository, as a user installs it: no global.json, no central package versions.
        var install = await ProgramRun.Dotnet(_root, "tool", "install", "--tool-path", tools, "--add-source", packages, "ActorMlp.Cli",
            "--version", Path.GetFileNameWithoutExtension(package)["ActorMlp.Cli.".Length..]);
        Assert.True(install.ExitCode == 0, install.Text);

        var train = await ProgramRun.Start(_root, Path.Combine(tools, "actormlp"), ["train", "--workers", "0", "--epochs", "1", "--hidden", "8",
            "--progress", "none", "--out", run]);
        Assert.True(train.ExitCode == 0, train.Text);
        Assert.Contains("parameters_sha256:", train.Text);
        Assert.True(File.Exists(Path.Combine(run, "summary.json")), train.Text);
    }
}
