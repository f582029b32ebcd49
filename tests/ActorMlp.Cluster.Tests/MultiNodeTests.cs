using ActorMlp.Hosting;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Core.Model;
using Akka.Actor;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cluster.Tests;

/// <summary>Several ActorSystems in one process, talking over loopback TCP through the real serializer.</summary>
public class MultiNodeTests
{
    static CoordinatorSetup Setup(Core.Training.Trainer trainer, ClusterSettings settings) => new(
        new Mlp(Fixtures.Spec), trainer, Fixtures.Fingerprint, new StepLog(), settings,
        new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously),
        settings.Reduction == ReductionKind.Peer ? Fixtures.Recipe(settings.WirePrecision == WirePrecision.Bf16) : null);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)] // more workers than the plan's 4 leaves: some only own a slice
    public async Task Peer_reduction_reproduces_the_bits_of_the_local_run(int workers)
    {
        var trainer = Fixtures.NewTrainer();
        var settings = Fixtures.AkkaLink with { TensorLink = TensorLinkKind.Socket, Reduction = ReductionKind.Peer, MinWorkers = workers };
        var log = new StepLog();
        var setup = Setup(trainer, settings) with { Observer = log };
        var outcome = await EmbeddedCluster.RunAsync(Fixtures.TestConfig(), setup, workers, 1, new SyntheticSamples(64), Fixtures.Fingerprint);
        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(Fixtures.LocalResult(), trainer.Parameters);
        Assert.Equal(Enumerable.Range(0, (int)Fixtures.Plan.TotalSteps).Select(i => (long)i), log.Steps.Select(s => s.Step));
    }

    [Fact]
    public async Task Peer_reduction_in_bfloat16_gives_the_bits_of_the_local_bfloat16_tree_for_any_worker_count()
    {
        var results = new List<float[]>();
        foreach (int workers in new[] { 1, 2, 3 })
        {
            var trainer = Fixtures.NewTrainer();
            var settings = Fixtures.AkkaLink with
            {
                TensorLink = TensorLinkKind.Socket, Reduction = ReductionKind.Peer, WirePrecision = WirePrecision.Bf16, MinWorkers = workers,
            };
            var outcome = await EmbeddedCluster.RunAsync(Fixtures.TestConfig(), Setup(trainer, settings), workers, 1, new SyntheticSamples(64), Fixtures.Fingerprint);
            Assert.True(outcome.Succeeded, outcome.Message);
            results.Add(trainer.Parameters);
        }
        // The tree itself holds bfloat16, so one process computing it has the same bits.
        var local = Fixtures.LocalResult(Core.Determinism.GradientPrecision.BFloat16);
        Assert.Equal(local, results[0]);
        Assert.Equal(local, results[1]);
        Assert.Equal(local, results[2]);
        Assert.NotEqual(Fixtures.LocalResult(), local);
    }

    [Theory]
    [InlineData(1, TensorLinkKind.Socket)]
    [InlineData(3, TensorLinkKind.Socket)]
    [InlineData(2, TensorLinkKind.Akka)]
    public async Task Embedded_cluster_reproduces_the_bits_of_the_local_run(int workers, TensorLinkKind link)
    {
        var trainer = Fixtures.NewTrainer();
        var settings = Fixtures.AkkaLink with { TensorLink = link, MinWorkers = workers };
        var outcome = await EmbeddedCluster.RunAsync(Fixtures.TestConfig(), Setup(trainer, settings), workers, 1,
            new SyntheticSamples(64), Fixtures.Fingerprint);
        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(workers, outcome.WorkersSeen);
        Assert.Equal(Fixtures.LocalResult(), trainer.Parameters);
    }

    [Fact]
    public async Task A_worker_with_other_data_is_refused_and_the_run_goes_on()
    {
        var trainer = Fixtures.NewTrainer();
        var setup = Setup(trainer, Fixtures.AkkaLink with { TensorLink = TensorLinkKind.Socket, MinWorkers = 1 });
        var config = Fixtures.TestConfig();
        var (coordinatorSystem, _) = ClusterNode.StartCoordinator(ClusterNode.NodeConfig(config, "coordinator", "127.0.0.1", 0), setup);
        var seed = AkkaCluster.Get(coordinatorSystem).SelfAddress;
        var refused = new TaskCompletionSource<WorkerStopped>(TaskCreationOptions.RunContinuationsAsynchronously);
        var systems = new List<ActorSystem>();
        try
        {
            var settings = setup.Settings with { RegisterInterval = TimeSpan.FromMilliseconds(200) };
            systems.Add(ClusterNode.StartWorker(ClusterNode.NodeConfig(config, "worker", "127.0.0.1", 0),
                new WorkerSetup("stranger", 1, new SyntheticSamples(64, seed: 99), "other/64+0/123", settings, s => refused.TrySetResult(s)), [seed]));
            var stopped = await refused.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(stopped.Refused);
            Assert.Contains("other/64+0/123", stopped.Reason);
            Assert.Contains(Fixtures.Fingerprint, stopped.Reason);

            systems.Add(ClusterNode.StartWorker(ClusterNode.NodeConfig(config, "worker", "127.0.0.1", 0),
                new WorkerSetup("good", 1, new SyntheticSamples(64), Fixtures.Fingerprint, settings, _ => { }), [seed]));
            var outcome = await setup.Done.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(outcome.Succeeded, outcome.Message);
            Assert.Equal(Fixtures.LocalResult(), trainer.Parameters);
        }
        finally
        {
            await Task.WhenAll(systems.Select(ClusterNode.LeaveAsync));
            await ClusterNode.LeaveAsync(coordinatorSystem);
        }
    }
}
