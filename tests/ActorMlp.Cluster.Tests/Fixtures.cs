using ActorMlp.Cluster.Hosting;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;
using Akka.Configuration;

namespace ActorMlp.Cluster.Tests;

/// <summary>A small deterministic classification set: 4 features, 3 classes.</summary>
internal sealed class SyntheticSamples(int count, ulong seed = 7) : ISampleSource
{
    readonly float[] _x = Make(count, seed);

    static float[] Make(int count, ulong seed)
    {
        var rng = new SplitMix64(seed);
        return Enumerable.Range(0, count * 4).Select(_ => (float)rng.NextGaussian()).ToArray();
    }

    public int Count => count;
    public int Features => 4;
    public int TargetWidth => 1;

    public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<float> targets)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            _x.AsSpan(indices[i] * 4, 4).CopyTo(x.Slice(i * 4, 4));
            targets[i] = indices[i] % 3;
        }
    }
}

/// <summary>Records every step a coordinator applies.</summary>
internal sealed class StepLog : ITrainingObserver
{
    public List<StepAssignment> Steps { get; } = [];

    public void StepApplied(Trainer trainer, StepAssignment step, bool epochEnded, double trainSeconds)
    {
        lock (Steps) Steps.Add(step);
    }

    public int Count { get { lock (Steps) return Steps.Count; } }

    public int Checkpoints { get; private set; }

    public void Checkpoint(Trainer trainer) => Checkpoints++;
}

internal static class Fixtures
{
    public static readonly ModelSpec Spec = new([4, 8, 3], ActivationKind.Tanh, HeadKind.SoftmaxCrossEntropy);
    public static readonly TrainingPlan Plan = new(64, Epochs: 1, Batch: 16, MicroShards: 4, Seed: 3);
    public const string Fingerprint = "synthetic/64+0/abc";

    public static Trainer NewTrainer()
    {
        var model = new Mlp(Spec);
        var parameters = Initializer.Create(Spec, InitKind.Auto, Plan.Seed);
        return new Trainer(model, Plan, parameters, Optimizer.Create(new OptimizerSettings(OptimizerKind.Momentum), parameters.Length), new LrSchedule(0.1f));
    }

    /// <summary>What a peer-to-peer worker's replica is built from: the trainer of <see cref="NewTrainer"/>.</summary>
    public static Protocol.PeerRecipe Recipe(bool bf16 = false)
        => Protocol.PeerRecipe.From(InitKind.Auto, new OptimizerSettings(OptimizerKind.Momentum), new LrSchedule(0.1f), 0, bf16);

    /// <summary>The weights after the whole plan, trained in this process: what every cluster run must reproduce.</summary>
    public static float[] LocalResult(Core.Determinism.GradientPrecision precision = Core.Determinism.GradientPrecision.Float32)
    {
        var trainer = NewTrainer();
        var engine = new LocalGradientEngine(new Mlp(Spec), new SyntheticSamples(64), Plan, 1, precision);
        while (!trainer.Finished)
        {
            if (trainer.Apply(engine.ComputeRoot(trainer.Parameters, trainer.Current))) trainer.StartEpoch();
        }
        return trainer.Parameters;
    }

    /// <summary>reference.conf with test.conf over it: a single cluster node whose messages all cross the serializer.</summary>
    public static Config TestConfig(string role = "coordinator")
        => ConfigurationFactory.ParseString($"akka.cluster.roles = [\"{role}\"]")
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "test.conf"))))
            .WithFallback(Reference());

    /// <summary><see cref="TestConfig"/> on TestKit's TestScheduler: timers fire when a spec advances the clock, never by the real one.</summary>
    public static Config ManualClockConfig()
        => ConfigurationFactory.ParseString("akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"").WithFallback(TestConfig());

    /// <summary>hocon/reference.conf as the program embeds it: the one home of every default.</summary>
    public static Config Reference() => ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "reference.conf")));

    /// <summary>The cluster settings every node gets by default.</summary>
    public static ClusterSettings Defaults => ClusterSettings.From(Reference());

    /// <summary>Tensors as Akka messages; deadlines far away unless a spec is about them.</summary>
    public static ClusterSettings AkkaLink => Defaults with
    {
        TensorLink = TensorLinkKind.Akka, ChunkBytes = 256, StartTimeout = TimeSpan.FromSeconds(30),
        DeadlineFloor = TimeSpan.FromSeconds(60), NoWorkerTimeout = TimeSpan.FromSeconds(60),
    };
}
