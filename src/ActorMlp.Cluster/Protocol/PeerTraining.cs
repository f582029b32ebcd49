using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using MessagePack;

namespace ActorMlp.Cluster.Protocol;

// The control plane of the peer-to-peer reduction. Tensors never ride on these: pieces, reduced
// slices and trainer states go between the nodes' tensor endpoints (PeerLinks).

/// <summary>
/// What a worker needs to keep its own replica of the trainer: how to initialise a fresh run, the
/// optimizer and its schedule, when the coordinator wants a state (epoch ends, every N steps) and
/// whether the reduction tree holds the gradient in bfloat16 (<see cref="Core.Determinism.GradientPrecision"/>),
/// pieces and reduced slices then travelling in it.
/// </summary>
[MessagePackObject]
internal sealed record PeerRecipe(
    [property: Key(0)] InitKind Init,
    [property: Key(1)] OptimizerKind Optimizer,
    [property: Key(2)] float[] OptimizerValues,
    [property: Key(3)] ScheduleKind Schedule,
    [property: Key(4)] float[] ScheduleValues,
    [property: Key(5)] int[] ScheduleCounts,
    [property: Key(6)] int CheckpointEvery,
    [property: Key(7)] bool Bf16)
{
    public static PeerRecipe From(InitKind init, OptimizerSettings o, LrSchedule s, int checkpointEvery, bool bf16) => new(
        init, o.Kind, [o.Momentum, o.Beta1, o.Beta2, o.Epsilon, o.WeightDecay],
        s.Kind, [s.BaseRate, s.Gamma, s.MinimumRate], [s.WarmupSteps, s.StepEpochs], checkpointEvery, bf16);

    public OptimizerSettings ToOptimizer() => OptimizerValues is [var m, var b1, var b2, var e, var wd]
        ? new OptimizerSettings(Optimizer, m, b1, b2, e, wd)
        : throw new ArgumentException("a peer recipe's optimizer holds 5 values");

    public LrSchedule ToSchedule() => ScheduleValues is [var rate, var gamma, var min] && ScheduleCounts is [var warmup, var stepEpochs]
        ? new LrSchedule(rate, Schedule, warmup, stepEpochs, gamma, min)
        : throw new ArgumentException("a peer recipe's schedule holds 3 values and 2 counts");
}

/// <summary>A worker of a peer-to-peer run has warmed up and listens for its peers on Endpoint.</summary>
[MessagePackObject]
internal sealed record WorkerReady(
    [property: Key(0)] string WorkerId,
    [property: Key(1)] string Endpoint) : IProtocolMessage;

/// <summary>
/// Stop at the next safe point and say where you are (a Paused frame on the tensor link, behind the
/// worker's Applied frames): the membership is about to change to view View.
/// </summary>
[MessagePackObject]
internal sealed record PauseTraining([property: Key(0)] int View) : IProtocolMessage;

/// <summary>
/// The membership from step Step on. Members[i] listens on Endpoints[i], computes leaves
/// [LeafStarts[i], LeafEnds[i]) of every step and owns slice i of the parameter vector.
/// The members named in NeedState take the state of step Step from StateSource — a member, the
/// coordinator ("coordinator"), or "seed" (a fresh run: every replica initialises itself).
/// Reporter sends the coordinator its state at every step the coordinator waits on; with
/// ReportNow it also sends it as soon as it has installed this view. With Hold the members install
/// the view and stay paused (the coordinator only wants a state, to stop the run).
/// </summary>
[MessagePackObject]
internal sealed record InstallView(
    [property: Key(0)] int View,
    [property: Key(1)] long Step,
    [property: Key(2)] string[] Members,
    [property: Key(3)] string[] Endpoints,
    [property: Key(4)] int[] LeafStarts,
    [property: Key(5)] int[] LeafEnds,
    [property: Key(6)] string StateSource,
    [property: Key(7)] string[] NeedState,
    [property: Key(8)] string Reporter,
    [property: Key(9)] bool ReportNow,
    [property: Key(10)] bool Hold = false) : IProtocolMessage
{
    public const string Seed = "seed";
    public const string Coordinator = "coordinator";
}

/// <summary>A worker could not apply step Step (a non-finite loss, say); the run cannot go on.</summary>
[MessagePackObject]
internal sealed record StepFailed(
    [property: Key(0)] string WorkerId,
    [property: Key(1)] long Step,
    [property: Key(2)] string Reason) : IProtocolMessage;
