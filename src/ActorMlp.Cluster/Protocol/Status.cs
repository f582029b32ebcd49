using MessagePack;

namespace ActorMlp.Cluster.Protocol;

// Asked by `actormlp status` from outside the cluster: a short-lived node that only talks to the coordinator.

/// <summary>Say where the run stands; answered with <see cref="StatusReported"/>.</summary>
[MessagePackObject]
public sealed record GetStatus([property: Key(0)] string Asker = "") : IProtocolMessage;

/// <summary>
/// Where the run stands: State (gathering, training, finished, failed, stopped), the next step of
/// TotalSteps, the epoch (1-based) of Epochs, samples per second over the recent steps, and each
/// registered worker with the last step it reported and that step's compute and wait time.
/// </summary>
[MessagePackObject]
public sealed record StatusReported(
    [property: Key(0)] string State,
    [property: Key(1)] long Step,
    [property: Key(2)] long TotalSteps,
    [property: Key(3)] int Epoch,
    [property: Key(4)] int Epochs,
    [property: Key(5)] double SamplesPerSecond,
    [property: Key(6)] WorkerStatus[] Workers) : IProtocolMessage;

/// <summary>A worker as the coordinator last heard of it; LastStep is -1 before its first timing.</summary>
[MessagePackObject]
public sealed record WorkerStatus(
    [property: Key(0)] string WorkerId,
    [property: Key(1)] int Cores,
    [property: Key(2)] long LastStep,
    [property: Key(3)] double ComputeSeconds,
    [property: Key(4)] double WaitSeconds);
