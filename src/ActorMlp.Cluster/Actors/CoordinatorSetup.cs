using ActorMlp.Cluster.Hosting;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;

namespace ActorMlp.Cluster.Actors;

/// <summary>
/// What the coordinator actor runs: the trainer (weights, optimizer, position), the data fingerprint
/// workers must match, and who records the run. With Peer the workers reduce among themselves and keep
/// replicas of the trainer built from that recipe; Resumed says the trainer's state came from a checkpoint.
/// Trace, when given, receives the step timeline (--trace); the coordinator closes it when the run ends.
/// Samples, the training data, lets the coordinator recompute workers' subtrees (verify-fraction).
/// Data, the training part as a data pack, is shipped to workers that register without data; without it they are refused.
/// </summary>
internal sealed record CoordinatorSetup(
    Mlp Model,
    Trainer Trainer,
    string Fingerprint,
    ITrainingObserver Observer,
    ClusterSettings Settings,
    TaskCompletionSource<RunOutcome> Done,
    Protocol.PeerRecipe? Peer = null,
    bool Resumed = false,
    Watch.ChromeTrace? Trace = null,
    ISampleSource? Samples = null,
    Links.DataShipper? Data = null);

public enum RunStatus { Finished, Failed, Interrupted }

/// <summary>How a cluster run ended, with the seconds spent in training steps (evaluation excluded).</summary>
public sealed record RunOutcome(RunStatus Status, string Message, double TrainSeconds, int WorkersSeen)
{
    public bool Succeeded => Status == RunStatus.Finished;
}

/// <summary>Stop the run gracefully (SIGINT, SIGTERM): checkpoint, tell the workers, end.</summary>
public sealed record StopRun(string Reason) : Akka.Actor.INoSerializationVerificationNeeded;
