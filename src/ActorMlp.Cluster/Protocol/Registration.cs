using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using MessagePack;

namespace ActorMlp.Cluster.Protocol;

/// <summary>A worker asks to join the run, naming its data by fingerprint (name, sample counts, SHA-256).</summary>
[MessagePackObject]
internal sealed record RegisterWorker(
    [property: Key(0)] string WorkerId,
    [property: Key(1)] int Cores,
    [property: Key(2)] string Fingerprint) : IProtocolMessage;

/// <summary>
/// The coordinator takes the worker into the run: what to build (model, plan) and where its tensor
/// endpoint is ("" when tensors travel as Akka messages). The run token tags every tensor frame of this run.
/// A Recipe makes it a peer-to-peer run: the worker keeps a replica of the trainer, listens for its
/// peers and says so with <see cref="WorkerReady"/>; without one the coordinator sends it weights.
/// </summary>
[MessagePackObject]
internal sealed record WorkerAccepted(
    [property: Key(0)] long RunToken,
    [property: Key(1)] ModelMessage Model,
    [property: Key(2)] PlanMessage Plan,
    [property: Key(3)] string TensorEndpoint,
    [property: Key(4)] PeerRecipe? Recipe = null) : IProtocolMessage;

/// <summary>
/// A worker the coordinator took in could not open its tensor link to the endpoint the coordinator
/// advertised (it reaches the Akka port, not that one); it registers again, and the coordinator names it.
/// </summary>
[MessagePackObject]
internal sealed record TensorLinkFailed(
    [property: Key(0)] string WorkerId,
    [property: Key(1)] string Endpoint,
    [property: Key(2)] string Reason) : IProtocolMessage;

/// <summary>The coordinator will not use this worker; the reason names what differs.</summary>
[MessagePackObject]
internal sealed record WorkerRefused([property: Key(0)] string Reason) : IProtocolMessage;

/// <summary>The run is over (finished or failed); workers of the run stop.</summary>
[MessagePackObject]
internal sealed record StopWorking([property: Key(0)] string Reason) : IProtocolMessage;

[MessagePackObject]
internal sealed record ModelMessage(
    [property: Key(0)] int[] Layers,
    [property: Key(1)] ActivationKind Activation,
    [property: Key(2)] HeadKind Head,
    [property: Key(3)] int MaxoutPieces,
    [property: Key(4)] float LeakySlope)
{
    public static ModelMessage From(ModelSpec s) => new(s.Layers, s.Activation, s.Head, s.MaxoutPieces, s.LeakySlope);
    public ModelSpec ToSpec() => new(Layers, Activation, Head, MaxoutPieces, LeakySlope);
}

[MessagePackObject]
internal sealed record PlanMessage(
    [property: Key(0)] int TrainSamples,
    [property: Key(1)] int Epochs,
    [property: Key(2)] int Batch,
    [property: Key(3)] int MicroShards,
    [property: Key(4)] ulong Seed)
{
    public static PlanMessage From(TrainingPlan p) => new(p.TrainSamples, p.Epochs, p.Batch, p.MicroShards, p.Seed);
    public TrainingPlan ToPlan() => new(TrainSamples, Epochs, Batch, MicroShards, Seed);
}
