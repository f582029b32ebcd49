using MessagePack;

namespace ActorMlp.Cluster.Protocol;

/// <summary>
/// Compute leaves [FirstLeaf, EndLeaf) of step Step (batch Batch of epoch Epoch) on the weights of
/// that step, which arrive on the tensor link, and send back the maximal aligned subtrees covering them.
/// </summary>
[MessagePackObject]
internal sealed record ComputeLeaves(
    [property: Key(0)] long Step,
    [property: Key(1)] int Epoch,
    [property: Key(2)] int Batch,
    [property: Key(3)] int FirstLeaf,
    [property: Key(4)] int EndLeaf) : IProtocolMessage;

/// <summary>What a tensor carries: the weights of a step (coordinator to worker) or a subtree value (back).</summary>
internal enum TensorKind : byte { Weights = 1, Subtree = 2 }

/// <summary>
/// One piece of a tensor sent as an Akka message, for networks where only the Akka port is open and for
/// TestKit specs. Offset and Total count floats; Data holds the piece's floats as little-endian bytes
/// and stays under the remoting frame limit.
/// </summary>
[MessagePackObject]
internal sealed record TensorChunk(
    [property: Key(0)] long RunToken,
    [property: Key(1)] long Step,
    [property: Key(2)] TensorKind Kind,
    [property: Key(3)] int Level,
    [property: Key(4)] int Index,
    [property: Key(5)] int Offset,
    [property: Key(6)] int Total,
    [property: Key(7)] byte[] Data) : IProtocolMessage;
