using ActorMlp.Hosting;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Links;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using ActorMlp.Data;
using Akka.Actor;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cluster.Tests;

/// <summary>
/// A worker that registers without data, against a real coordinator node: it is offered the run's
/// pack, fetches it from the tensor endpoint, and is then taken in or refused by its fingerprint as any worker.
/// </summary>
public sealed class DataShippingSpecs : IDisposable
{
    readonly string _cache = Directory.CreateTempSubdirectory("actormlp-shipping-tests-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    // A pack of the run's size; what the worker trains on after fetching it is the fixtures' samples, so the bits can be compared with the local run.
    static readonly byte[] Pack = DataPack.Write("synthetic", Fixtures.Fingerprint,
        new ImageDataset(new byte[64 * 4], new byte[64], 4, "synthetic", FeatureTransform.Identity(4)));

    static CoordinatorSetup Setup(ClusterSettings settings) => new(
        new Mlp(Fixtures.Spec), Fixtures.NewTrainer(), Fixtures.Fingerprint, new StepLog(), settings,
        new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously),
        settings.Reduction == ReductionKind.Peer ? Fixtures.Recipe() : null, Data: new DataShipper(Pack, Fixtures.Fingerprint));

    /// <summary>Starts the coordinator and one worker without data whose fetch reports the fingerprint <paramref name="fetchedAs"/>.</summary>
    async Task<(WorkerStopped? Stopped, RunOutcome? Outcome, List<DataFetched> Fetches)> Run(CoordinatorSetup setup, string fetchedAs)
    {
        var config = Fixtures.TestConfig();
        var (coordinatorSystem, _) = ClusterNode.StartCoordinator(ClusterNode.NodeConfig(config, "coordinator", "127.0.0.1", 0), setup);
        var seed = AkkaCluster.Get(coordinatorSystem).SelfAddress;
        var stopped = new TaskCompletionSource<WorkerStopped>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetches = new List<DataFetched>();
        var fetcher = new DataFetcher(_cache, null, 1 << 16, _ => { });
        var worker = new WorkerSetup("bare", 1, null, "", setup.Settings with { RegisterInterval = TimeSpan.FromMilliseconds(200) }, s => stopped.TrySetResult(s),
            FetchData: (offer, cancel) =>
            {
                var fetched = fetcher.Fetch(offer, cancel);
                lock (fetches) fetches.Add(fetched);
                Assert.Equal(Fixtures.Fingerprint, DataPack.Read(fetched.Pack, fetched.Path).Fingerprint);
                return (new SyntheticSamples(64), fetchedAs);
            });
        ActorSystem? workerSystem = null;
        try
        {
            workerSystem = ClusterNode.StartWorker(ClusterNode.NodeConfig(config, "worker", "127.0.0.1", 0), worker, [seed]);
            var first = await Task.WhenAny(stopped.Task, setup.Done.Task).WaitAsync(TimeSpan.FromSeconds(60));
            if (first == stopped.Task && stopped.Task.Result.Refused) return (stopped.Task.Result, null, fetches);
            return (null, await setup.Done.Task.WaitAsync(TimeSpan.FromSeconds(60)), fetches);
        }
        finally
        {
            if (workerSystem is not null) await ClusterNode.LeaveAsync(workerSystem);
            await ClusterNode.LeaveAsync(coordinatorSystem);
        }
    }

    [Theory]
    [InlineData(ReductionKind.Star)]
    [InlineData(ReductionKind.Peer)]
    public async Task A_worker_without_data_fetches_the_pack_and_trains_to_the_bits_of_the_local_run(ReductionKind reduction)
    {
        var setup = Setup(Fixtures.AkkaLink with { TensorLink = TensorLinkKind.Socket, Reduction = reduction, MinWorkers = 1 });
        var (stopped, outcome, fetches) = await Run(setup, Fixtures.Fingerprint);
        Assert.Null(stopped);
        Assert.True(outcome!.Succeeded, outcome.Message);
        Assert.Equal(Fixtures.LocalResult(), setup.Trainer.Parameters);
        var fetched = Assert.Single(fetches);
        Assert.Equal(Pack.Length, fetched.FetchedBytes);
    }

    [Fact]
    public async Task A_worker_whose_fetched_data_has_another_fingerprint_is_refused_as_any_worker()
    {
        var setup = Setup(Fixtures.AkkaLink with { TensorLink = TensorLinkKind.Socket, MinWorkers = 1 });
        var (stopped, _, fetches) = await Run(setup, "other/64+0/123");
        Assert.True(stopped!.Refused);
        Assert.Equal($"worker bare has data other/64+0/123, but this run trains on {Fixtures.Fingerprint}", stopped.Reason);
        Assert.Single(fetches);
    }

    [Fact]
    public async Task A_worker_without_data_is_refused_with_a_sentence_when_tensors_travel_as_Akka_messages()
    {
        var setup = Setup(Fixtures.AkkaLink with { MinWorkers = 1 });
        var (stopped, _, fetches) = await Run(setup, Fixtures.Fingerprint);
        Assert.True(stopped!.Refused);
        Assert.Equal("worker bare has no data, and this run's tensors travel as Akka messages (tensor-link akka), which do not carry the training data; "
            + "start the worker with --data, or the run with --tensor-link socket", stopped.Reason);
        Assert.Empty(fetches);
    }
}
