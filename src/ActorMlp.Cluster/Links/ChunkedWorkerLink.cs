using ActorMlp.Cluster.Protocol;
using ActorMlp.Core.Determinism;
using Akka.Actor;

namespace ActorMlp.Cluster.Links;

/// <summary>The worker's end of the tensor link over Akka messages: subtree values go to the coordinator as chunks.</summary>
internal sealed class ChunkedWorkerLink(IActorRef coordinator, IActorRef self, long token, int chunkBytes, BufferPool weights) : IWorkerLink
{
    public void SendSubtree(long step, TreeNode node, float[] value)
        => ChunkAssembler.Send(coordinator, self, token, step, TensorKind.Subtree, node.Level, node.Index, value, chunkBytes);

    // The Akka-message link carries no timings: its steps are as slow as remoting makes them anyway.
    public void SendTiming(long step, StepTiming timing) { }

    public bool TryTakeWeights(out WeightsArrived arrived)
    {
        arrived = default;
        return false;
    }

    public void ReturnWeights(float[] buffer) => weights.Return(buffer);

    public long AllocatedBytes => 0;

    public void Dispose() { }
}
