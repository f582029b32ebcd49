using ActorMlp.Core.Determinism;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Runs;
using ActorMlp.Cli.Settings;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Cluster.Watch;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;
using ActorMlp.Data;
using Akka.Configuration;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// A training run checked and set up, before anything is written: settings, data, model, plan and
/// the trainer holding the initial weights. Every input error surfaces here, as a UsageException.
/// </summary>
internal sealed record TrainingJob(Config Config, TrainSettings Settings, DataSplit Data, Mlp Model, TrainingPlan Plan, Trainer Trainer)
{
    /// <summary>The run folder being resumed, or null for a new run.</summary>
    public string? Resumed { get; init; }

    /// <summary>
    /// With --resume RUN_DIR the run's own config.conf comes first (flags and --config files still
    /// override it), and weights, optimizer state and position come from its newest intact checkpoint;
    /// checkpoints that fail their checks are named on <paramref name="warnings"/> and skipped.
    /// </summary>
    public static TrainingJob Prepare(ParsedArguments args, IReadOnlyList<Option> options, TextWriter warnings)
    {
        string? resume = args.Get("--resume");
        if (resume is not null)
        {
            if (args.Get("--out") is not null) throw new UsageException("--resume continues in the run's own folder; drop --out");
            string conf = Path.Combine(resume, RunFolder.ConfigFile);
            if (!File.Exists(conf)) throw new UsageException($"--resume {resume}: there is no {RunFolder.ConfigFile}; is it a run folder?");
            args = args with { ConfigFiles = [conf, .. args.ConfigFiles] };
        }
        var config = ConfigLoader.Load(args, options);
        var s = TrainSettings.From(config, OptionTable.FlagOf(OptionTable.NodeCommands));
        s.UseKernel();
        var data = DataOptions.Load(s.DataSpec, s.DataDir, s.TestFraction, s.SplitSeed);
        var recipe = TrainingRecipe.From(s, data);
        var (spec, plan, schedule) = (recipe.Spec, recipe.Plan, recipe.Schedule);

        var model = new Mlp(spec);
        if (resume is null) return new TrainingJob(config, s, data, model, plan, recipe.NewTrainer(model));

        var store = new CheckpointStore(Path.Combine(resume, CheckpointStore.Folder), s.KeepCheckpoints);
        var (checkpoint, file) = store.Newest(message => warnings.WriteLine($"actormlp: {message}"));
        string? mismatch =
            !checkpoint.Spec.Layers.SequenceEqual(spec.Layers) || checkpoint.Spec with { Layers = spec.Layers } != spec ? $"the model {checkpoint.Spec} differs from the settings' {spec}"
            : checkpoint.Batch != plan.Batch ? $"its batch {checkpoint.Batch} differs from --batch {plan.Batch}"
            : checkpoint.MicroShards != plan.MicroShards ? $"its micro-shards {checkpoint.MicroShards} differ from --micro-shards {plan.MicroShards}"
            : checkpoint.Seed != plan.Seed ? $"its seed {checkpoint.Seed} differs from --seed {plan.Seed}"
            : checkpoint.Epochs != plan.Epochs ? $"its epochs {checkpoint.Epochs} differ from --epochs {plan.Epochs}"
            : checkpoint.OptimizerKind != s.Optimizer.Kind.ToName() ? $"its optimizer {checkpoint.OptimizerKind} differs from --optimizer {s.Optimizer.Kind.ToName()}"
            : checkpoint.DataFingerprint.Length > 0 && checkpoint.DataFingerprint != data.Fingerprint()
                ? $"it was trained on data {checkpoint.DataFingerprint}, and --data {s.DataSpec} is {data.Fingerprint()}"
            : null;
        if (mismatch is not null) throw new UsageException($"cannot resume from {file}: {mismatch}");
        var optimizer = Optimizer.Create(s.Optimizer, checkpoint.Parameters.Length);
        try { optimizer.Restore(checkpoint.OptimizerState, checkpoint.OptimizerSteps); }
        catch (ArgumentException e) { throw new UsageException($"cannot resume from {file}: {e.Message}", e); }
        var resumed = new Trainer(model, plan, checkpoint.Parameters, optimizer, schedule, checkpoint.Step, checkpoint.EpochLoss, checkpoint.EpochCorrect);
        warnings.WriteLine($"actormlp: resuming {resume} at step {checkpoint.Step} of {plan.TotalSteps} from {file}");
        return new TrainingJob(config, s, data, model, plan, resumed) { Resumed = resume };
    }

    /// <summary>The run folder: a new one, or the resumed one reopened.</summary>
    public RunFolder OpenRunFolder()
    {
        if (Resumed is null)
        {
            var run = RunFolder.Create(Settings.Out, DateTime.Now);
            run.WriteConfig(ConfigText);
            return run;
        }
        return RunFolder.Open(Resumed, Trainer.Step / Plan.StepsPerEpoch);
    }

    public ModelSpec Spec => Model.Spec;

    string? _dataFingerprint;

    /// <summary>The data's fingerprint, hashed once: every checkpoint records it.</summary>
    public string DataFingerprint => _dataFingerprint ??= Data.Fingerprint();

    /// <summary>
    /// How the reduction tree holds the gradient: bfloat16 for a peer run with wire-precision bf16, and
    /// for a run in this process asked for bf16, which so has the bits of such a cluster.
    /// </summary>
    public GradientPrecision GradientPrecision => Settings.Cluster.WirePrecision == WirePrecision.Bf16
        && (Settings.Workers == 0 || Settings.Cluster.Reduction == ReductionKind.Peer)
        ? GradientPrecision.BFloat16 : GradientPrecision.Float32;

    /// <summary>What the coordinator runs, reporting to <paramref name="observer"/>: a star run, or a peer-to-peer one with the recipe its workers' replicas need.</summary>
    public CoordinatorSetup CoordinatorSetup(ITrainingObserver observer, ClusterSettings cluster, ChromeTrace? trace = null)
        => TrainingRecipe.Coordinator(Settings, Data, Model, Trainer, observer, cluster, Resumed is not null, trace);

    /// <summary>The step trace of --trace FILE.json, or null without it; it needs a star run through the cluster.</summary>
    public ChromeTrace? OpenTrace(int workers)
    {
        string file = Settings.TraceFile;
        if (string.IsNullOrWhiteSpace(file)) return null;
        if (workers == 0) throw new UsageException("--trace records the steps of a cluster run; it needs --workers 1 or more");
        if (Settings.Cluster.Reduction != ReductionKind.Star)
            throw new UsageException("--trace records star runs only: in a peer run the workers reduce among themselves and report no timings");
        try { return new ChromeTrace(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"--trace {file}: cannot write it ({e.Message})", e);
        }
    }

    /// <summary>The effective actormlp settings as HOCON, for the run folder.</summary>
    public string ConfigText => HoconWriter.Write(Config, ConfigLoader.Reference(), "actormlp");
}
