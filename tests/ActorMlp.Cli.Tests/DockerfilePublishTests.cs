using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using static ActorMlp.Cli.Tests.DeployRecipes;

namespace ActorMlp.Cli.Tests;

/// <summary>Tests that use src/ActorMlp.Cli's own build output (pack, publish) run one at a time.</summary>
[CollectionDefinition(nameof(ProductBuildOutput))]
public sealed class ProductBuildOutput;

/// <summary>
/// What deploy/Dockerfile does that can be done without Docker: its build stage's commands after the
/// sources are copied (dotnet publish, then keeping one platform's native code) run here as they are
/// written, into a temporary folder instead of /app, and the published app starts as the image's
/// entry point starts it, and trains.
/// </summary>
[Collection(nameof(ProductBuildOutput))]
[Trait("Category", "Publish")]
public sealed class DockerfilePublishTests : IDisposable
{
    readonly string _root = Directory.CreateTempSubdirectory("actormlp-publish-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    /// <summary>What BuildKit puts in TARGETARCH for this machine.</summary>
    static string TargetArch => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        var other => other.ToString().ToLowerInvariant(),
    };

    [Fact]
    public async Task The_app_published_as_the_dockerfile_publishes_it_starts_and_trains()
    {
        var dockerfile = Dockerfile();
        var publish = Assert.Single(dockerfile, i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet publish", StringComparison.Ordinal));
        var stage = dockerfile.Where(i => i.Stage == publish.Stage).ToList();
        int sources = stage.FindIndex(i => i.Keyword == "COPY" && i.Arguments == ". .");
        Assert.True(sources >= 0 && sources < stage.IndexOf(publish), "the build stage copies the sources (COPY . .) before it publishes");
        var steps = stage.Skip(sources + 1).Where(i => i.Keyword == "RUN").ToList();
        Assert.Equal(publish, steps[0]);

        string app = Path.Combine(_root, "app");
        foreach (var step in steps)
        {
            var ran = await Run(Repository.Root, "/bin/sh", "-c", InApp(step.Arguments, app));
            Assert.True(ran.ExitCode == 0, $"Dockerfile line {step.Line}: {ran.Text}");
        }

        // The image runs the framework-dependent app on the runtime image's frameworks only.
        var final = FinalStage(dockerfile);
        string image = final[0].Arguments.Split(' ')[0];
        var tag = Regex.Match(image, @"^mcr\.microsoft\.com/dotnet/(runtime|aspnet):(\d+)\.");
        Assert.True(tag.Success, $"the final stage's image {image} is not a .NET runtime image");
        string[] frameworks = tag.Groups[1].Value == "aspnet" ? ["Microsoft.NETCore.App", "Microsoft.AspNetCore.App"] : ["Microsoft.NETCore.App"];
        var entry = ExecForm(Assert.Single(final, i => i.Keyword == "ENTRYPOINT").Arguments).Select(w => InApp(w, app)).ToArray();
        Assert.Equal("dotnet", entry[0]);
        string runtimeConfig = Path.ChangeExtension(entry[1], ".runtimeconfig.json");
        using (var config = JsonDocument.Parse(File.ReadAllText(runtimeConfig)))
        {
            var options = config.RootElement.GetProperty("runtimeOptions");
            var named = options.TryGetProperty("frameworks", out var list) ? list.EnumerateArray().ToList() : [options.GetProperty("framework")];
            foreach (var framework in named)
            {
                Assert.Contains(framework.GetProperty("name").GetString(), frameworks);
                Assert.StartsWith(tag.Groups[2].Value + ".", framework.GetProperty("version").GetString());
            }
        }

        // Only this platform's native code is left (on the platforms the image is built for).
        string? rid = TargetArch switch { "amd64" => "linux-x64", "arm64" => "linux-arm64", _ => null };
        if (rid is not null)
            Assert.Equal(new[] { "unix", rid }.Order(StringComparer.Ordinal), Directory.GetDirectories(Path.Combine(app, "runtimes")).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal));

        // docker run IMAGE: the entry point with CMD.
        var help = await Run(_root, entry[0], [.. entry[1..], .. ExecForm(Assert.Single(final, i => i.Keyword == "CMD").Arguments)]);
        Assert.True(help.ExitCode == 0, help.Text);
        Assert.Contains("actormlp coordinator", help.Text);

        // An embedded cluster (Akka remoting, the serializer) and the run folder's plot (the native code kept above).
        string run = Path.Combine(_root, "run");
        var train = await Run(_root, entry[0], [.. entry[1..], "train", "--workers", "1", "--epochs", "1", "--hidden", "8", "--progress", "none", "--out", run]);
        Assert.True(train.ExitCode == 0, train.Text);
        Assert.Contains("parameters_sha256:", train.Text);
        Assert.True(File.Exists(Path.Combine(run, "summary.json")), train.Text);
        Assert.True(new FileInfo(Path.Combine(run, "curves.png")).Length > 0, train.Text);
    }

    /// <summary>The Dockerfile's /app (the publish folder) as a folder here.</summary>
    static string InApp(string text, string app) => Regex.Replace(text, @"(?<![\w/.-])/app(?=/|\s|$)", app);

    // The build stage's own environment: BuildKit's TARGETARCH; five minutes, for a publish from scratch.
    static Task<(int ExitCode, string Text)> Run(string folder, string program, params string[] args)
        => ProgramRun.Start(folder, program, args, TimeSpan.FromMinutes(5), new Dictionary<string, string> { ["TARGETARCH"] = TargetArch });
}
