using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Tensors;
using ActorMlp.Core.Training;
using ActorMlp.Cluster.Hosting;
using Akka.Configuration;

namespace ActorMlp.Hosting.Settings;

internal enum ProgressMode { Auto, Bar, Lines, None }

/// <summary>Everything `train` needs, read from the effective configuration and checked.</summary>
internal sealed record TrainSettings
{
    public required string DataSpec { get; init; }
    public required string DataDir { get; init; }

    /// <summary>Where a worker keeps the data it fetched from its coordinator; empty: <see cref="ActorMlp.Data.DataCache.Folder"/>'s default.</summary>
    public string CacheDir { get; init; } = "";
    public required double TestFraction { get; init; }
    public required ulong SplitSeed { get; init; }
    public required int[] Hidden { get; init; }
    public required int[] Layers { get; init; }
    public required ActivationKind Activation { get; init; }
    public required int MaxoutPieces { get; init; }
    public required float LeakySlope { get; init; }
    public required HeadKind? Loss { get; init; }
    public required InitKind Init { get; init; }
    public required OptimizerSettings Optimizer { get; init; }
    /// <summary>The schedule; with <see cref="AutoLearningRate"/> its base rate is the classification one until the task is known (<see cref="ScheduleFor"/>).</summary>
    public required LrSchedule Schedule { get; init; }
    /// <summary>--lr auto: the base rate by task, from actormlp.optimizer.auto-learning-rate; null when a rate was given.</summary>
    public required (float Classification, float Regression)? AutoLearningRate { get; init; }
    public required int Epochs { get; init; }
    /// <summary>--batch; null for auto, which <see cref="AutoBatch"/> fits to the training set (<see cref="BatchFor"/>).</summary>
    public required int? Batch { get; init; }
    public required AutoBatch AutoBatch { get; init; }
    public required int MicroShards { get; init; }
    public required ulong Seed { get; init; }
    public required int Workers { get; init; }
    public required int ThreadsPerWorker { get; init; }
    public required int CheckpointEvery { get; init; }
    public required int KeepCheckpoints { get; init; }
    public required string Out { get; init; }
    public required ProgressMode Progress { get; init; }
    public required ClusterSettings Cluster { get; init; }

    /// <summary>Port and address of the Prometheus endpoint (0: none), and the step trace's file ("" : none).</summary>
    public required int MetricsPort { get; init; }
    public required string MetricsHost { get; init; }
    public required string TraceFile { get; init; }
    /// <summary>The kernel path asked for; null for auto (the widest this CPU runs).</summary>
    public required KernelPath? Kernel { get; init; }

    /// <summary>
    /// Makes the asked kernel path the process's, before any kernel runs or any weights are packed;
    /// a path this CPU lacks is a usage error naming the flag.
    /// </summary>
    public void UseKernel()
    {
        KernelPath path = Kernel ?? ComputeKernel.Best;
        if (!ComputeKernel.IsSupported(path))
            throw new UsageException($"--kernel {ComputeKernel.Name(path)} (actormlp.compute.kernel) is not available on this CPU; it runs {string.Join(", ", ComputeKernel.Supported.Select(ComputeKernel.Name))} (or auto)");
        ComputeKernel.Use(path);
    }

    /// <summary>The mini-batch for a training set of <paramref name="trainSamples"/>: the one asked for, or the auto one.</summary>
    public int BatchFor(int trainSamples) => Batch ?? AutoBatch.For(trainSamples);

    /// <summary>
    /// The schedule for the task: with --lr auto, mean squared error gets its own, lower base rate, since
    /// its gradients grow with the error where cross-entropy's stay bounded.
    /// </summary>
    public LrSchedule ScheduleFor(bool regression)
        => AutoLearningRate is { } auto ? Schedule with { BaseRate = regression ? auto.Regression : auto.Classification } : Schedule;

    /// <summary>
    /// What a worker registers with: the data fingerprint and the numeric class, so a worker whose
    /// CPU rounds differently (no hardware FMA) is refused like a worker with other data.
    /// </summary>
    public static string Fingerprint(string dataFingerprint) => $"{dataFingerprint}, numeric class {ComputeKernel.NumericClass}";

    static bool IsAuto(string value) => value.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads and checks every actormlp.* key it needs; <paramref name="flagOf"/> names what sets a key in the errors (see <see cref="SettingsReader"/>).</summary>
    public static TrainSettings From(Config config, Func<string, string?>? flagOf = null)
    {
        var r = new SettingsReader(config, flagOf);
        const string d = "actormlp.data.", m = "actormlp.model.", t = "actormlp.train.", o = "actormlp.optimizer.";
        var optimizer = new OptimizerSettings(
            r.Choice<OptimizerKind>(o + "kind", OptimizerKindNames.TryParse, OptimizerKindNames.Choices),
            Momentum: (float)r.Double(o + "momentum", 0, 1),
            Beta1: (float)r.Double(o + "beta1", 0, 0.999999),
            Beta2: (float)r.Double(o + "beta2", 0, 0.999999999),
            Epsilon: (float)r.Double(o + "epsilon", 0, exclusiveMin: true),
            WeightDecay: (float)r.Double(o + "weight-decay", 0));
        var autoRate = ((float)r.Double(o + "auto-learning-rate.classification", 0, exclusiveMin: true),
            (float)r.Double(o + "auto-learning-rate.regression", 0, exclusiveMin: true));
        bool rateIsAuto = IsAuto(r.String(o + "learning-rate"));
        var schedule = new LrSchedule(
            rateIsAuto ? autoRate.Item1 : (float)r.Double(o + "learning-rate", 0, exclusiveMin: true),
            r.Choice<ScheduleKind>(o + "schedule", LrSchedule.TryParseKind, "constant, step, cosine"),
            r.Int(o + "warmup-steps", 0),
            r.Int(o + "step-epochs", 1),
            (float)r.Double(o + "gamma", 0, 1, exclusiveMin: true),
            (float)r.Double(o + "min-learning-rate", 0));
        string loss = r.String(m + "loss");
        ClusterSettings cluster;
        try { cluster = ClusterSettings.From(config); }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or Akka.Configuration.ConfigurationException)
        {
            throw new UsageException(e.Message, e);
        }
        return new TrainSettings
        {
            DataSpec = r.String(d + "spec"),
            DataDir = r.String(d + "dir"),
            CacheDir = r.String(d + "cache-dir"),
            TestFraction = r.Double(d + "test-fraction", 0, 1, exclusiveMin: true) is var f && f < 1 ? f
                : throw new UsageException($"--test-fraction (actormlp.data.test-fraction) must be below 1, got {f}"),
            SplitSeed = (ulong)r.Long(d + "split-seed", 0),
            Hidden = r.IntList(m + "hidden", 1),
            Layers = r.IntList(m + "layers", 1),
            Activation = r.Choice<ActivationKind>(m + "activation", ActivationKindNames.TryParse, ActivationKindNames.Choices),
            MaxoutPieces = r.Int(m + "maxout-pieces", 2, 64),
            LeakySlope = (float)r.Double(m + "leaky-slope", 0, 1),
            Loss = loss.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? null
                : r.Choice<HeadKind>(m + "loss", HeadKindNames.TryParse, "auto, cross-entropy, log-loss, mse"),
            Init = r.Choice<InitKind>(m + "init", (string s, out InitKind k) => Enum.TryParse(s.Trim(), true, out k) && Enum.IsDefined(k) && !int.TryParse(s, out _), "auto, he, xavier"),
            Optimizer = optimizer,
            Schedule = schedule,
            AutoLearningRate = rateIsAuto ? autoRate : null,
            Epochs = r.Int(t + "epochs", 1, 1_000_000),
            Batch = IsAuto(r.String(t + "batch")) ? null : r.Int(t + "batch", 1, 1 << 24),
            AutoBatch = new AutoBatch(r.Int(t + "auto-batch.min", 1, 1 << 24), r.Int(t + "auto-batch.max", 1, 1 << 24), r.Int(t + "auto-batch.steps-per-epoch", 1)) is var auto
                && auto.Max >= auto.Min ? auto
                : throw new UsageException($"actormlp.train.auto-batch.max must be at least actormlp.train.auto-batch.min, got {auto.Max} and {auto.Min}"),
            MicroShards = r.Int(t + "micro-shards", 1, 1 << 20) is var ms && ActorMlp.Core.Determinism.ShardPlan.IsPowerOfTwo(ms) ? ms
                : throw new UsageException($"--micro-shards (actormlp.train.micro-shards) must be a power of two, got {ms}"),
            Seed = (ulong)r.Long(t + "seed", 0),
            Workers = r.Int(t + "workers", 0, 4096),
            ThreadsPerWorker = r.Int(t + "threads-per-worker", 1, 1024),
            CheckpointEvery = r.Int(t + "checkpoint-every", 0),
            KeepCheckpoints = r.Int(t + "keep-checkpoints", 1, 1000),
            Out = r.String(t + "out"),
            Cluster = cluster,
            MetricsPort = r.Int("actormlp.metrics.port", 0, 65535),
            MetricsHost = r.String("actormlp.metrics.host") is { Length: > 0 } host ? host
                : throw new UsageException("--metrics-host (actormlp.metrics.host) must name an address, such as 127.0.0.1"),
            TraceFile = r.String("actormlp.trace.file"),
            Kernel = r.Choice<KernelPath?>("actormlp.compute.kernel", ComputeKernel.TryParse, "auto, avx512, avx2, vector128"),
            Progress = r.Choice<ProgressMode>(t + "progress", (string s, out ProgressMode p) => Enum.TryParse(s.Trim(), true, out p) && Enum.IsDefined(p) && !int.TryParse(s, out _), "auto, bar, lines, none"),
        };
    }
}
