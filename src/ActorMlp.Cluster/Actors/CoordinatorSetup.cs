using ActorMlp.Cluster.Hosting;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;

namespace ActorMlp.Cluster.Actors;

/// <summary>What the coordinator actor runs: the trainer (weights, optimizer, position), the data fingerprint workers must match, and who records the run.</summary>
public sealed record CoordinatorSetup(
    Mlp Model,
    Trainer Trainer,
    string Fingerprint,
    ITrainingObserver Observer,
    ClusterSettings Settings,
    TaskCompletionSource<RunOutcome> Done);

/// <summary>How a cluster run ended, with the seconds spent in training steps (evaluation excluded).</summary>
public sealed record RunOutcome(bool Succeeded, string Message, double TrainSeconds, int WorkersSeen);
