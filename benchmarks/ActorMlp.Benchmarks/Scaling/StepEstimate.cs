namespace ActorMlp.Benchmarks.Scaling;

/// <summary>One predicted step: where its seconds go, the rows of its slowest worker and the traffic of its busiest node.</summary>
public readonly record struct StepEstimate(int BusiestRows, Traffic BusiestNode, double Compute, double Communication, double Optimizer, double Overhead)
{
    public double Seconds => Compute + Communication + Optimizer + Overhead;

    public double SamplesPerSecond(int batch) => batch / Seconds;
}
