using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using Akka.Actor;
using Akka.Configuration;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.TestKit;

/// <summary>
/// A coordinator and N workers in this process, each its own ActorSystem on loopback TCP: every message
/// crosses real remoting and the real serializer, tensors cross the real socket link. Declare faults on
/// <see cref="Faults"/>, then <see cref="RunAsync"/>; the run's parameters are <see cref="Parameters"/>.
/// Every node runs Akka.Remote's throttler transport adapter (so that a partition can be made), which passes
/// traffic through untouched until told otherwise.
/// </summary>
public sealed class ClusterFixture : IAsyncDisposable
{
    readonly Config _config;
    readonly List<WorkerNode> _workers = [];
    readonly StepRecorder _steps = new();
    readonly int _initialWorkers;
    readonly TaskCompletionSource<RunOutcome> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    ActorSystem? _coordinator;
    Address? _address;

    /// <summary>
    /// A fixture for <paramref name="recipe"/> with <paramref name="workers"/> workers, which the run waits for
    /// (min-workers). <paramref name="settings"/> adjusts the cluster settings read from the configuration, for
    /// example a shorter step deadline or verify-fraction; <paramref name="config"/> goes over <see cref="TestConfig.ForSpecs"/>.
    /// </summary>
    public ClusterFixture(RunRecipe recipe, int workers, Func<ClusterSettings, ClusterSettings>? settings = null, Config? config = null)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), workers, "a cluster run needs at least one worker");
        Recipe = recipe;
        _initialWorkers = workers;
        _config = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.applied-adapters = [trttl]")
            .WithFallback(config ?? ConfigurationFactory.Empty).WithFallback(TestConfig.ForSpecs());
        var defaults = ClusterSettings.From(_config) with { TensorLink = TensorLinkKind.Socket, MinWorkers = workers };
        Settings = settings is null ? defaults : settings(defaults);
        Trainer = recipe.NewTrainer();
    }

    public RunRecipe Recipe { get; }

    /// <summary>The cluster settings of every node.</summary>
    public ClusterSettings Settings { get; }

    /// <summary>The coordinator's trainer: its parameters are the run's result.</summary>
    public Trainer Trainer { get; }

    /// <summary>The run's parameters (once <see cref="RunAsync"/> has returned, its final ones).</summary>
    public float[] Parameters => Trainer.Parameters;

    public FaultInjector Faults { get; } = new();

    /// <summary>The workers started so far, the ones started mid-run included.</summary>
    public IReadOnlyList<WorkerNode> Workers { get { lock (_workers) return [.. _workers]; } }

    /// <summary>The steps the coordinator applied, in order.</summary>
    public IReadOnlyList<long> StepsApplied => _steps.Steps.Select(s => s.Step).ToList();

    /// <summary>Time since <see cref="RunAsync"/> started the nodes.</summary>
    public TimeSpan Elapsed => _steps.Clock.Elapsed;

    /// <summary>When the coordinator applied <paramref name="step"/> (on the <see cref="Elapsed"/> clock), or null if it has not.</summary>
    public TimeSpan? AppliedAt(long step) => _steps.Steps.Where(s => s.Step == step).Select(s => (TimeSpan?)s.At).FirstOrDefault();

    /// <summary>Starts the coordinator and the workers worker-1 … worker-N, and waits for the run to end (or <paramref name="timeout"/>, a minute by default).</summary>
    public async Task<RunOutcome> RunAsync(TimeSpan? timeout = null)
    {
        if (_coordinator is not null) throw new InvalidOperationException("the fixture's run has already started");
        _steps.Clock.Start();
        var setup = new CoordinatorSetup(new Mlp(Recipe.Spec), Trainer, Recipe.Fingerprint, _steps, Settings, _done, Samples: Recipe.Samples);
        (_coordinator, _) = ClusterNode.StartCoordinator(ClusterNode.NodeConfig(_config, "coordinator", "127.0.0.1", 0), setup);
        _address = AkkaCluster.Get(_coordinator).SelfAddress;
        // Each on a thread of its own: starting an ActorSystem blocks its thread.
        var starting = Enumerable.Range(1, _initialWorkers)
            .Select(i => Task.Factory.StartNew(() => StartWorker($"worker-{i}"), TaskCreationOptions.LongRunning)).ToList();
        await Task.WhenAll(starting).ConfigureAwait(false);
        return await _done.Task.WaitAsync(timeout ?? TimeSpan.FromMinutes(1)).ConfigureAwait(false);
    }

    /// <summary>Starts one more worker and joins it to the running cluster (a worker joining mid-run, when called from a fault's Then).</summary>
    public WorkerNode StartWorker(string id)
    {
        var address = _address ?? throw new InvalidOperationException("start the run first");
        var node = new WorkerNode(id, address);
        var settings = Settings with { TensorPort = 0, TensorPublicPort = 0 };
        var setup = new WorkerSetup(id, 1, Recipe.Samples, Recipe.Fingerprint, settings, s => node.Stopped = s,
            Joined: node.SetJoined, WrapLink: link => new FaultyLink(link, node, Faults));
        // A killed worker stops without leaving the cluster: termination alone does not run its coordinated shutdown.
        var config = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off").WithFallback(_config);
        node.System = ClusterNode.StartWorker(ClusterNode.NodeConfig(config, "worker", "127.0.0.1", 0), setup, [address]);
        node.Address = AkkaCluster.Get(node.System).SelfAddress;
        lock (_workers) _workers.Add(node);
        return node;
    }

    /// <summary>Throws <see cref="BitIdentityException"/> unless the run's parameters are the bits of the fault-free run, trained in this process.</summary>
    public void AssertBitIdenticalToFaultFreeRun() => BitIdentity.AssertMatchesLocal(Recipe, Parameters);

    /// <summary>Crashed and cut-off workers are downed and stopped, then the others leave, then the coordinator.</summary>
    public async ValueTask DisposeAsync()
    {
        // They cannot leave, and while they are members the others could not either: they are downed first,
        // as the split-brain resolver would in time.
        foreach (var lost in Workers.Where(w => w.Crashed || w.Partitioned))
        {
            if (_coordinator is not null) AkkaCluster.Get(_coordinator).Down(lost.Address);
            await lost.System.Terminate().ConfigureAwait(false);
        }
        var live = Workers.Where(w => !w.Crashed && !w.Partitioned).Select(w => w.System);
        await Task.WhenAll(live.Select(LeaveOrTerminate)).ConfigureAwait(false);
        if (_coordinator is not null) await LeaveOrTerminate(_coordinator).ConfigureAwait(false);
    }

    // A node that cannot finish leaving in a few seconds is simply stopped.
    static async Task LeaveOrTerminate(ActorSystem system)
    {
        try { await ClusterNode.LeaveAsync(system).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false); }
        catch (TimeoutException) { await system.Terminate().ConfigureAwait(false); }
    }

    sealed class StepRecorder : ITrainingObserver
    {
        readonly List<(long Step, TimeSpan At)> _steps = [];

        public System.Diagnostics.Stopwatch Clock { get; } = new();

        public IReadOnlyList<(long Step, TimeSpan At)> Steps { get { lock (_steps) return [.. _steps]; } }

        public void StepApplied(Trainer trainer, StepAssignment step, bool epochEnded, double trainSeconds)
        {
            lock (_steps) _steps.Add((step.Step, Clock.Elapsed));
        }

        public void Checkpoint(Trainer trainer) { }
    }
}
