using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Cluster.Watch;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;
using ActorMlp.Data;

namespace ActorMlp.Hosting.Settings;

/// <summary>
/// What a run trains, checked: the model for the data, the plan and the schedule. The actormlp command
/// and a hosted coordinator both build their runs from it, so the same settings give the same bits.
/// </summary>
internal sealed record TrainingRecipe(TrainSettings Settings, DataSplit Data, ModelSpec Spec, TrainingPlan Plan, LrSchedule Schedule)
{
    /// <summary>Checks that the model fits the data and the plan is sound; throws <see cref="UsageException"/> saying why not.</summary>
    public static TrainingRecipe From(TrainSettings s, DataSplit data)
    {
        var spec = ModelBuilder.Build(s, data);
        if (spec.Head != HeadKind.LinearMse)
            try { data.CheckLabels(spec.Head == HeadKind.SigmoidLogLoss ? 2 : spec.Outputs); }
            catch (DataException e) { throw new UsageException(e.Message, e); }
        var plan = new TrainingPlan(data.Train.Count, s.Epochs, s.BatchFor(data.Train.Count), s.MicroShards, s.Seed);
        try { plan.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message.Replace("the batch size", "--batch"), e); }
        return new TrainingRecipe(s, data, spec, plan, s.ScheduleFor(data.Task == TaskKind.Regression));
    }

    /// <summary>A trainer at step 0 holding the initial weights of the seed.</summary>
    public Trainer NewTrainer(Mlp model)
    {
        var parameters = Initializer.Create(Spec, Settings.Init, Settings.Seed);
        return new Trainer(model, Plan, parameters, Optimizer.Create(Settings.Optimizer, parameters.Length), Schedule);
    }

    /// <summary>What the coordinator runs, reporting to <paramref name="observer"/>: a star run, or a peer-to-peer one with the recipe its workers' replicas need.</summary>
    public static CoordinatorSetup Coordinator(TrainSettings settings, DataSplit data, Mlp model, Trainer trainer, ITrainingObserver observer,
        ClusterSettings cluster, bool resumed = false, ChromeTrace? trace = null)
    {
        var peer = cluster.Reduction == ReductionKind.Peer
            ? PeerRecipe.From(settings.Init, settings.Optimizer, trainer.Schedule, settings.CheckpointEvery, cluster.WirePrecision == WirePrecision.Bf16)
            : null;
        return new CoordinatorSetup(model, trainer, TrainSettings.Fingerprint(data.Fingerprint()), observer, cluster,
            new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously), peer, resumed, trace, data.Train);
    }
}
