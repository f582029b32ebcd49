
namespace ActorMlp.Cli.Tests;

/// <summary>
/// The libraries as another application takes them: `dotnet pack` makes ActorMlp.Core, .Data, .Cluster, .Hosting and
/// .TestKit, and the sample spec (samples/ActorMlp.Samples.Specs), restored from those packages in a folder
/// outside the repository, builds and passes. Packs the build the test run already made.
/// </summary>
[Collection(nameof(ProductBuildOutput))]
public sealed class LibraryPackageTests : IDisposable
{
    static readonly string[] Libraries = ["ActorMlp.Core", "ActorMlp.Data", "ActorMlp.Cluster", "ActorMlp.Hosting", "ActorMlp.TestKit"];

    readonly string _root = Directory.CreateTempSubdirectory("actormlp-libraries-").FullName;

    // A version of this test run's own: the packages restored never come from an earlier run's copies in the NuGet cache.
    readonly string _version = $"0.0.0-spec{DateTime.UtcNow:yyyyMMddHHmmss}{Environment.ProcessId}";

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var library in Libraries)
            try
            {
                string id = Path.Combine(cache, library.ToLowerInvariant());
                if (Directory.Exists(Path.Combine(id, _version))) Directory.Delete(Path.Combine(id, _version), recursive: true);
                if (Directory.Exists(id) && !Directory.EnumerateFileSystemEntries(id).Any()) Directory.Delete(id);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public async Task The_packed_libraries_restore_into_the_sample_spec_which_builds_and_passes()
    {
        string packages = Path.Combine(_root, "nupkg"), sample = Path.Combine(_root, "sample");
        foreach (var library in Libraries)
        {
            var pack = await ProgramRun.Dotnet(Repository.Root, "pack", Path.Combine(Repository.Root, "src", library, library + ".csproj"),
                "-c", ProgramRun.Configuration, "--no-build", "-o", packages, $"-p:Version={_version}");
            Assert.True(pack.ExitCode == 0, pack.Text);
            Assert.True(File.Exists(Path.Combine(packages, $"{library}.{_version}.nupkg")), pack.Text);
            Assert.True(File.Exists(Path.Combine(packages, $"{library}.{_version}.snupkg")), pack.Text);
        }

        // The sample as a user has it: its own folder, the packages' folder as a source besides the machine's.
        Directory.CreateDirectory(sample);
        foreach (var file in Directory.GetFiles(Path.Combine(Repository.Root, "samples", "ActorMlp.Samples.Specs"), "*.cs*"))
            File.Copy(file, Path.Combine(sample, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(sample, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="actormlp" value="{packages}" />
              </packageSources>
            </configuration>
            """);

        var test = await ProgramRun.Dotnet(sample, "test", "-c", ProgramRun.Configuration, $"-p:ActorMlpVersion={_version}");
        Assert.True(test.ExitCode == 0, test.Text);
        Assert.Contains("Passed:     1", test.Text);
        Assert.Contains($"ActorMlp.TestKit {_version}", File.ReadAllText(Path.Combine(sample, "obj", "project.assets.json")).Replace("/", " "));
    }
}
