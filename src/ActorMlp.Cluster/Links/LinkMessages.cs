using ActorMlp.Core.Determinism;
using Akka.Actor;

namespace ActorMlp.Cluster.Links;

// What a tensor link announces to the actor that owns it. They never leave the process, so they skip serialization.

/// <summary>A subtree value of step Step from worker WorkerId, read into a pooled buffer the receiver returns.</summary>
internal sealed record SubtreeArrived(string WorkerId, long Step, TreeNode Node, float[] Value) : INoSerializationVerificationNeeded;

/// <summary>
/// The weights of step Step, read into a pooled buffer the receiver returns, with the leaves
/// [FirstLeaf, EndLeaf) the coordinator assigned when it sent them (none when equal). A value:
/// the link queues it and announces it with <see cref="WeightsReady"/>, so a step allocates nothing.
/// ArrivedAt is the <see cref="System.Diagnostics.Stopwatch"/> timestamp when they were read, ReadMicros how long the reading took.
/// </summary>
internal readonly record struct WeightsArrived(long Step, float[] Weights, int FirstLeaf = 0, int EndLeaf = 0, long ArrivedAt = 0, long ReadMicros = 0);

/// <summary>The link has weights queued for its owner to take (<see cref="IWorkerLink.TryTakeWeights"/>). One shared instance.</summary>
internal sealed class WeightsReady : INoSerializationVerificationNeeded
{
    public static readonly WeightsReady Instance = new();

    WeightsReady() { }
}

/// <summary>How worker WorkerId spent step Step, read at the coordinator's timestamp ArrivedAt (<see cref="System.Diagnostics.Stopwatch"/>).</summary>
internal sealed record WorkerTimed(string WorkerId, long Step, StepTiming Timing, long ArrivedAt) : INoSerializationVerificationNeeded;

/// <summary>The coordinator's link wrote step Step's weights to worker WorkerId between two <see cref="System.Diagnostics.Stopwatch"/> timestamps.</summary>
internal sealed record WeightsWritten(string WorkerId, long Step, long Start, long End) : INoSerializationVerificationNeeded;

/// <summary>A worker's tensor connection is up: it can be given leaves.</summary>
internal sealed record LinkOpened(string WorkerId) : INoSerializationVerificationNeeded;

/// <summary>A tensor connection broke: for the coordinator, that worker has failed.</summary>
internal sealed record LinkClosed(string WorkerId, string Reason) : INoSerializationVerificationNeeded;
