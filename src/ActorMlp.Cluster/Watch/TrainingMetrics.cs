using System.Diagnostics.Metrics;

namespace ActorMlp.Cluster.Watch;

/// <summary>
/// The run's live instruments, on the one meter "ActorMlp" that an exporter (the Prometheus endpoint of
/// --metrics-port) listens to. Process-wide: Akka's links and actors reach them without plumbing, and a
/// process runs one coordinator. Gauges read the last values the coordinator set.
/// </summary>
internal static class TrainingMetrics
{
    public const string MeterName = "ActorMlp";

    static readonly Meter Meter = new(MeterName);

    static readonly Counter<long> Steps = Meter.CreateCounter<long>("actormlp.steps", "{step}", "training steps applied");
    static readonly Counter<long> Samples = Meter.CreateCounter<long>("actormlp.samples", "{sample}", "training samples the applied steps covered");
    // Steps last from a fraction of a millisecond (small models on loopback) to seconds; exporters'
    // default buckets are made for milliseconds of web requests.
    static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    static readonly Histogram<double> StepTime = Meter.CreateHistogram("actormlp.step.duration", "s",
        "wall time of a step at the coordinator, weights out to optimizer done", null, Seconds);
    static readonly Histogram<double> Compute = Meter.CreateHistogram("actormlp.worker.compute.duration", "s",
        "a worker's compute time in a step, by worker", null, Seconds);
    static readonly Histogram<double> Wait = Meter.CreateHistogram("actormlp.worker.wait.duration", "s",
        "a worker's time between sending one step's subtrees and computing the next, by worker", null, Seconds);

    static double _samplesPerSecond;
    static int _workers;
    // Observed rather than added to, so that a healthy run shows them at 0 instead of not at all.
    static long _reassigned, _refused, _verified, _wrong;

    static TrainingMetrics()
    {
        Meter.CreateObservableCounter("actormlp.leaves.reassigned", () => Interlocked.Read(ref _reassigned), "{leaf}",
            "leaves given to another worker (a worker lost or late)");
        Meter.CreateObservableCounter("actormlp.frames.refused", () => Interlocked.Read(ref _refused), "{frame}",
            "tensor connections and frames refused (unknown worker, another run's token, failed handshake)");
        Meter.CreateObservableCounter("actormlp.subtrees.verified", () => Interlocked.Read(ref _verified), "{subtree}",
            "workers' subtrees the coordinator computed again and found bit-equal (verify-fraction)");
        Meter.CreateObservableCounter("actormlp.subtrees.refused", () => Interlocked.Read(ref _wrong), "{subtree}",
            "workers' subtrees whose bits differed from the coordinator's computation; their senders were dropped");
        Meter.CreateObservableGauge("actormlp.samples.rate", () => Volatile.Read(ref _samplesPerSecond), "{sample}/s", "training samples per second over the recent steps");
        Meter.CreateObservableGauge("actormlp.workers", () => Volatile.Read(ref _workers), "{worker}", "workers registered with the coordinator");
    }

    public static void StepApplied(int samples, double seconds)
    {
        Steps.Add(1);
        Samples.Add(samples);
        StepTime.Record(seconds);
    }

    public static void SamplesPerSecond(double rate) => Volatile.Write(ref _samplesPerSecond, rate);

    public static void WorkerTimed(string worker, double computeSeconds, double waitSeconds)
    {
        var tag = new KeyValuePair<string, object?>("worker", worker);
        Compute.Record(computeSeconds, tag);
        Wait.Record(waitSeconds, tag);
    }

    public static void Workers(int count) => Volatile.Write(ref _workers, count);

    public static void LeavesReassigned(int leaves)
    {
        if (leaves > 0) Interlocked.Add(ref _reassigned, leaves);
    }

    public static void FrameRefused() => Interlocked.Increment(ref _refused);

    public static void SubtreeVerified() => Interlocked.Increment(ref _verified);

    public static void SubtreeRefused() => Interlocked.Increment(ref _wrong);
}
