using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Links;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using ActorMlp.Data;
using ActorMlp.Hosting.Settings;
using Akka.Actor;
using Akka.Configuration;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Hosting;

/// <summary>
/// A coordinator's run prepared from its options: settings read strictly, data loaded, model and initial
/// weights built, as the actormlp coordinator command does (through <see cref="TrainingRecipe"/>). A hosted run keeps no run folder.
/// </summary>
public sealed class ActorMlpRun : IActorMlpRun, ITrainingObserver
{
    readonly object _gate = new();
    readonly List<Channel<RunProgress>> _watchers = [];
    IActorRef? _coordinator;
    bool _ended;

    /// <summary>The node's configuration (the options over reference.conf) and the settings read from it.</summary>
    internal Config Config { get; }
    internal TrainSettings Settings { get; }
    public DataSplit Data { get; }
    internal CoordinatorSetup Setup { get; }

    public string? Address { get; private set; }
    public RunProgress? Latest { get; private set; }
    public Task<ActorMlpRunResult> Completion { get; }

    ActorMlpRun(ActorMlpCoordinatorOptions options)
    {
        Config = options.ToConfig();
        Settings = TrainSettings.From(Config, options.OptionOf);
        Settings.UseKernel();
        Data = DataOptions.Load(Settings.DataSpec, Settings.DataDir, Settings.TestFraction, Settings.SplitSeed);
        var recipe = TrainingRecipe.From(Settings, Data);
        var model = new Mlp(recipe.Spec);
        var trainer = recipe.NewTrainer(model);
        string fingerprint = Data.Fingerprint();
        // The training part as a pack, for workers that come without data, as the coordinator command offers it.
        Setup = TrainingRecipe.Coordinator(Settings, Data, model, trainer, this, Settings.Cluster) with
        {
            Data = new DataShipper(DataPack.Write(Data.Name, fingerprint, Data.Train), fingerprint),
        };
        Completion = Finish(trainer, recipe.Spec);
    }

    /// <summary>Prepares the run; a bad option is refused with a <see cref="UsageException"/> naming the option and its key.</summary>
    public static ActorMlpRun Prepare(ActorMlpCoordinatorOptions options) => new(options);

    async Task<ActorMlpRunResult> Finish(Trainer trainer, ModelSpec spec)
    {
        var outcome = await Setup.Done.Task.ConfigureAwait(false);
        lock (_gate)
        {
            _ended = true;
            foreach (var watcher in _watchers) watcher.Writer.TryComplete();
            _watchers.Clear();
        }
        return new ActorMlpRunResult(outcome, spec, trainer.Parameters.ToArray());
    }

    /// <summary>Called by the hosting extension once the coordinator runs on <paramref name="system"/>.</summary>
    internal void Started(ActorSystem system, IActorRef coordinator)
    {
        _coordinator = coordinator;
        Address = AkkaCluster.Get(system).SelfAddress.ToString();
        // A host stopped before the run ended still completes the run, as interrupted.
        system.WhenTerminated.ContinueWith(_ => Setup.Done.TrySetResult(new RunOutcome(RunStatus.Interrupted, "the node's ActorSystem terminated before the run ended", 0, 0)),
            TaskScheduler.Default);
    }

    public void Stop(string reason) => _coordinator?.Tell(new StopRun(reason));

    public IAsyncEnumerable<RunProgress> WatchAsync(CancellationToken cancel = default)
    {
        // Registered now, not at the first MoveNext, so a caller that watches before it starts the workers misses no step.
        // Bounded, dropping the oldest: a slow reader never holds the coordinator up.
        var channel = Channel.CreateBounded<RunProgress>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            if (_ended) channel.Writer.TryComplete();
            else _watchers.Add(channel);
        }
        return Read(channel, cancel);
    }

    async IAsyncEnumerable<RunProgress> Read(Channel<RunProgress> channel, [EnumeratorCancellation] CancellationToken cancel)
    {
        try
        {
            await foreach (var progress in channel.Reader.ReadAllAsync(cancel).ConfigureAwait(false)) yield return progress;
        }
        finally
        {
            lock (_gate) _watchers.Remove(channel);
        }
    }

    void ITrainingObserver.StepApplied(Trainer trainer, StepAssignment step, bool epochEnded, double trainSeconds)
    {
        var (loss, accuracy) = trainer.EpochMetrics();
        var progress = new RunProgress(trainer.Step, trainer.Plan.TotalSteps, step.Epoch + 1, trainer.Plan.Epochs, loss, accuracy, epochEnded);
        Latest = progress;
        lock (_gate)
            foreach (var watcher in _watchers) watcher.Writer.TryWrite(progress);
    }

    // A hosted run keeps no run folder: its weights come back through Completion.
    void ITrainingObserver.Checkpoint(Trainer trainer) { }
}
