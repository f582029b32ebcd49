namespace ActorMlp.Cluster.Links;

/// <summary>The worker's end of the tensor link: subtree values go out; weights come in as <see cref="WeightsArrived"/>.</summary>
public interface IWorkerLink : IDisposable
{
    // value is (NodeLength); it may be reused as soon as the call returns
    void SendSubtree(long step, Core.Determinism.TreeNode node, float[] value);

    /// <summary>Gives back a weights buffer announced by <see cref="WeightsArrived"/>.</summary>
    void ReturnWeights(float[] buffer);
}
