using System.Diagnostics;
using System.Text.RegularExpressions;
using ActorMlp.Hosting;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorMlp.Cli.Tests;

/// <summary>ActorMlp.Hosting: nodes hosted through the Akka.Hosting extensions are the command's nodes, bit for bit.</summary>
public sealed class HostingTests : IDisposable
{
    readonly Cli _cli = new();
    public void Dispose() => _cli.Dispose();

    static IHost Build(Action<IServiceCollection> services)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        services(builder.Services);
        return builder.Build();
    }

    [Fact]
    public async Task Hosted_coordinator_and_workers_train_the_bits_of_train_workers_0()
    {
        string expected = Cli.Sha(_cli.Train("--hidden", "16", "--epochs", "2", "--seed", "5"));
        var coordinatorOptions = new ActorMlpCoordinatorOptions { Data = "digits", Hidden = [16], Epochs = 2, Seed = 5, MinWorkers = 2, Hostname = "127.0.0.1", Port = 0 };
        using var coordinator = Build(s => s.AddActorMlpCoordinator(coordinatorOptions));
        await coordinator.StartAsync();
        var run = coordinator.Services.GetRequiredService<IActorMlpRun>();
        var watching = Task.Run(async () => await run.WatchAsync().ToListAsync());
        Assert.StartsWith("akka.tcp://actormlp@127.0.0.1:", run.Address);

        // One worker with data of its own, one fetching the run's data from the coordinator.
        var workers = new[]
        {
            Build(s => s.AddActorMlpWorker(new ActorMlpWorkerOptions { SeedNodes = [run.Address!], WorkerId = "own-data", Data = "digits", Hostname = "127.0.0.1", Port = 0 })),
            Build(s => s.AddActorMlpWorker(new ActorMlpWorkerOptions { SeedNodes = [run.Address!], WorkerId = "fetching", CacheDir = _cli.NewPath("cache"), Hostname = "127.0.0.1", Port = 0 })),
        };
        try
        {
            await Task.WhenAll(workers.Select(w => w.StartAsync()));
            var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(result.Succeeded, result.Outcome.ToString());
            Assert.Equal(2, result.Outcome.WorkersSeen);
            Assert.Equal(expected, result.ParametersSha256);

            var stopped = await Task.WhenAll(workers.Select(w => w.Services.GetRequiredService<ActorMlpWorker>().Stopped.WaitAsync(TimeSpan.FromSeconds(30))));
            Assert.All(stopped, s => Assert.False(s.Refused, s.Reason));

            var progress = await watching.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal([1, 2], progress.Where(p => p.EpochEnded).Select(p => p.Epoch));
            Assert.Equal(progress[^1].TotalSteps, progress[^1].Step);
            Assert.Equal(progress[^1], run.Latest);
        }
        finally
        {
            foreach (var worker in workers) { await worker.StopAsync(); worker.Dispose(); }
            await coordinator.StopAsync();
        }
    }

    [Fact]
    public async Task A_hosted_tls_cluster_is_the_commands_node_and_trains_the_same_bits()
    {
        string expected = Cli.Sha(_cli.Train("--hidden", "16", "--epochs", "1", "--seed", "3"));
        string certs = _cli.NewPath("certs");
        Assert.Equal(0, Cli.Run("certs", "create", "--out", certs, "--nodes", "2").ExitCode);
        string Tls(int node) => $"actormlp.security {{ tls = on, ca = {System.Text.Json.JsonSerializer.Serialize(Path.Combine(certs, "ca.crt"))}, "
                                + $"certificate = {System.Text.Json.JsonSerializer.Serialize(Path.Combine(certs, $"node-{node}.p12"))} }}";

        // The application's own HOCON sits above reference.conf and beneath the node's role and TLS.
        using var coordinator = Build(s => s.AddActorMlpCoordinator(
            new ActorMlpCoordinatorOptions { Hidden = [16], Epochs = 1, Seed = 3, Hostname = "127.0.0.1", Port = 0, Hocon = Tls(1) },
            akka => Akka.Hosting.AkkaHostingExtensions.AddHocon(akka, Akka.Configuration.ConfigurationFactory.ParseString(
                "akka.cluster.roles = [\"web\"]\nakka.remote.dot-netty.tcp.enable-ssl = false\nakka.log-config-on-start = off"), Akka.Hosting.HoconAddMode.Prepend)));
        await coordinator.StartAsync();
        var run = coordinator.Services.GetRequiredService<IActorMlpRun>();
        var config = coordinator.Services.GetRequiredService<Akka.Actor.ActorSystem>().Settings.Config;
        var reference = ReferenceConfig.Load();
        Assert.StartsWith("akka.ssl.tcp://actormlp@127.0.0.1:", run.Address);
        Assert.Equal(["coordinator"], config.GetStringList("akka.cluster.roles"));
        Assert.Equal(reference.GetString("akka.actor.serializers.actormlp"), config.GetString("akka.actor.serializers.actormlp"));
        Assert.Equal(reference.GetString("akka.cluster.gossip-interval"), config.GetString("akka.cluster.gossip-interval"));
        Assert.True(config.HasPath(ClusterNode.WorkerDispatcher));

        using var worker = Build(s => s.AddActorMlpWorker(new ActorMlpWorkerOptions { SeedNodes = [run.Address!], Data = "digits", Hostname = "127.0.0.1", Port = 0, Hocon = Tls(2) }));
        try
        {
            await worker.StartAsync();
            var result = await run.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(result.Succeeded, result.Outcome.ToString());
            Assert.Equal(expected, result.ParametersSha256);
        }
        finally
        {
            await worker.StopAsync();
            await coordinator.StopAsync();
        }
    }

    [Fact]
    public async Task A_node_whose_role_other_hocon_undid_refuses_to_start()
    {
        var run = ActorMlpRun.Prepare(new ActorMlpCoordinatorOptions { Hidden = [8], Epochs = 1, Hostname = "127.0.0.1", Port = 0 });
        using var host = Build(s => s.AddAkka(ClusterNode.SystemName, akka => akka
            .WithActorMlpCoordinator(run)
            .AddHocon(Akka.Configuration.ConfigurationFactory.ParseString("akka.cluster.roles = [\"web\"]"), Akka.Hosting.HoconAddMode.Prepend)));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        Assert.Contains("must have the role coordinator", refused.GetBaseException().Message);
        Assert.False(run.Completion.IsCompleted && run.Completion.Result.Succeeded);
    }

    static IConfiguration Settings(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void Options_bound_from_configuration_set_their_keys_over_reference_conf()
    {
        var options = Settings(("Epochs", "3"), ("Hidden:0", "32"), ("Hidden:1", "8"), ("Optimizer", "adam"), ("Hocon", "actormlp.optimizer.beta1 = 0.8"))
            .BindActorMlpOptions<ActorMlpCoordinatorOptions>();
        var config = options.ToConfig();
        var reference = ReferenceConfig.Load();
        Assert.Equal(3, config.GetInt("actormlp.train.epochs"));
        Assert.Equal([32, 8], config.GetIntList("actormlp.model.hidden"));
        Assert.Equal("adam", config.GetString("actormlp.optimizer.kind"));
        Assert.Equal(0.8, config.GetDouble("actormlp.optimizer.beta1"));
        Assert.NotEqual(reference.GetInt("actormlp.train.epochs"), 3);
        // What no option sets keeps reference.conf's default, the akka section included.
        Assert.Equal(reference.GetString("actormlp.train.micro-shards"), config.GetString("actormlp.train.micro-shards"));
        Assert.Equal(reference.GetString("akka.actor.serializers.actormlp"), config.GetString("akka.actor.serializers.actormlp"));
    }

    [Fact]
    public void A_bad_option_is_refused_naming_the_option()
    {
        var notANumber = Assert.Throws<UsageException>(() => Settings(("Epochs", "many")).BindActorMlpOptions<ActorMlpCoordinatorOptions>());
        Assert.Contains("Epochs", notANumber.Message);
        var unknown = Assert.Throws<UsageException>(() => Settings(("Epoch", "3")).BindActorMlpOptions<ActorMlpCoordinatorOptions>());
        Assert.Contains("Epoch", unknown.Message);

        var outOfRange = Assert.Throws<UsageException>(() => ActorMlpRun.Prepare(new ActorMlpCoordinatorOptions { Epochs = 0 }));
        Assert.StartsWith("Epochs (actormlp.train.epochs) must be a whole number", outOfRange.Message);
        var badSeed = Assert.Throws<UsageException>(() => ActorMlpWorker.Prepare(new ActorMlpWorkerOptions { SeedNodes = ["coordinator"] }));
        Assert.StartsWith("SeedNodes 'coordinator' is not an address", badSeed.Message);
    }

    [Fact]
    public void A_hosted_worker_is_told_how_to_find_the_cluster_as_the_worker_command_is()
    {
        var none = Assert.Throws<UsageException>(() => ActorMlpWorker.Prepare(new ActorMlpWorkerOptions()));
        Assert.StartsWith("a worker needs SeedNodes akka.tcp://actormlp@HOST:PORT (the coordinator), or actormlp.discovery.method config|kubernetes", none.Message);
        var both = Assert.Throws<UsageException>(() => ActorMlpWorker.Prepare(new ActorMlpWorkerOptions
        {
            SeedNodes = ["akka.tcp://actormlp@127.0.0.1:4053"],
            Hocon = "actormlp.discovery { method = config, endpoints = [\"127.0.0.1:8558\"] }",
        }));
        Assert.StartsWith("SeedNodes and actormlp.discovery.method config both say how to find the cluster", both.Message);
        var noEndpoints = Assert.Throws<UsageException>(() => ActorMlpWorker.Prepare(new ActorMlpWorkerOptions { Hocon = "actormlp.discovery.method = config" }));
        Assert.StartsWith("actormlp.discovery.method config needs actormlp.discovery.endpoints = [HOST:PORT, ..]", noEndpoints.Message);
    }

    [Fact]
    public void The_sample_host_trains_to_the_bits_of_train_workers_0()
    {
        string dll = Path.Combine(Repository.Root, "samples", "ActorMlp.Samples.Host", "bin", "Release", "net10.0", "ActorMlp.Samples.Host.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; building this test project builds it");
        string expected = Cli.Sha(_cli.Train("--hidden", "24", "--epochs", "2", "--seed", "9"));

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["ACTORMLP_CACHE"] = _cli.NewPath("cache");
        foreach (var a in new[] { dll, "--urls", "http://127.0.0.1:0", "--ActorMlp:Coordinator:Hidden:0=24", "--ActorMlp:Coordinator:Epochs=2", "--ActorMlp:Coordinator:Seed=9" })
            info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{error.Result}");
        Assert.Contains("epoch 2/2", output);
        Assert.Equal(expected, Regex.Match(output, "parameters_sha256: ([0-9a-f]{64})").Groups[1].Value);
    }
}
