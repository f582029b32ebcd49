namespace ActorMlp.Benchmarks.Scaling;

/// <summary>Payload bytes one node sends and receives in a step.</summary>
public readonly record struct Traffic(long Sent, long Received)
{
    /// <summary>The bytes that set the node's time on a full-duplex link: the two directions do not wait for each other.</summary>
    public long Wire => Math.Max(Sent, Received);
}
