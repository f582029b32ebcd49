namespace ActorMlp.Benchmarks.Scaling;

/// <summary>Every node's one network link: its rate each way and the latency of one round of messages.</summary>
public sealed record LinkSpec(double BitsPerSecond, double LatencySeconds)
{
    public double BytesPerSecond => BitsPerSecond / 8;
}
