namespace ActorMlp.Cluster.Links;

/// <summary>
/// The worker's end of the tensor link: subtree values go out; weights come in, announced to the
/// owner by <see cref="WeightsReady"/> and taken with <see cref="TryTakeWeights"/> (the Akka-message
/// link delivers them as chunks to the actor instead, and has none to take).
/// </summary>
internal interface IWorkerLink : IDisposable
{
    // value is (NodeLength); it may be reused as soon as the call returns
    void SendSubtree(long step, Core.Determinism.TreeNode node, float[] value);

    /// <summary>How the worker spent step <paramref name="step"/>, after its subtrees; a link that carries no timings drops it.</summary>
    void SendTiming(long step, StepTiming timing);

    /// <summary>The next weights the link has read, oldest first.</summary>
    bool TryTakeWeights(out WeightsArrived weights);

    /// <summary>Gives back a weights buffer taken from <see cref="TryTakeWeights"/>.</summary>
    void ReturnWeights(float[] buffer);

    /// <summary>Managed bytes the link's own threads have allocated so far, as last sampled by them.</summary>
    long AllocatedBytes { get; }
}
