using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Runs;
using ActorMlp.Cli.Settings;
using ActorMlp.Core.Checkpoints;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;
using ActorMlp.Data;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp train`: checks every input before it creates the run folder, then trains, evaluating
/// on the test part and checkpointing at each epoch end, and writes summary.json last.
/// </summary>
public static class TrainCommand
{
    public static int Run(ParsedArguments args, TextWriter output, bool terminal)
    {
        var wall = Stopwatch.StartNew();
        var config = ConfigLoader.Load(args, OptionTable.Training);
        var s = TrainSettings.From(config);
        if (s.Workers != 0)
            throw new UsageException($"--workers {s.Workers}: this build trains in one process only; use --workers 0");

        var data = DataOptions.Load(s.DataSpec, s.DataDir, s.TestFraction, s.SplitSeed);
        var spec = ModelBuilder.Build(s, data);
        if (spec.Head != HeadKind.LinearMse) CheckLabels(data, spec.Head == HeadKind.SigmoidLogLoss ? 2 : spec.Outputs);
        var plan = new TrainingPlan(data.Train.Count, s.Epochs, s.Batch, s.MicroShards, s.Seed);
        try { plan.Validate(); }
        catch (ArgumentException e) { throw new UsageException(e.Message.Replace("the batch size", "--batch"), e); }

        var model = new Mlp(spec);
        var parameters = Initializer.Create(spec, s.Init, s.Seed);
        var optimizer = Optimizer.Create(s.Optimizer, parameters.Length);
        var trainer = new Trainer(model, plan, parameters, optimizer, s.Schedule);
        var engine = new LocalGradientEngine(model, data.Train, plan, s.ThreadsPerWorker);
        var evaluator = new Evaluator(model);

        var run = RunFolder.Create(s.Out, DateTime.Now);
        run.WriteConfig(config.GetConfig("actormlp").ToString(includeFallback: true).Trim() is var c ? $"actormlp {c}\n" : "");
        var progress = new ProgressReporter(output, s.Progress, terminal);
        progress.Line($"training {spec} on {data.Name} ({data.Train.Count} train, {data.Test.Count} test), " +
                      $"{plan.Epochs} epochs of {plan.StepsPerEpoch} steps, batch {plan.Batch}, {plan.MicroShards} micro-shards, seed {plan.Seed}");

        var trainTime = new Stopwatch();
        var targetScale = TargetScale(data);
        Evaluation test = default;
        (double Loss, double Accuracy) train = default;
        while (!trainer.Finished)
        {
            var step = trainer.Current;
            float lr = trainer.LearningRate;
            trainTime.Start();
            var root = engine.ComputeRoot(trainer.Parameters, step);
            bool epochEnded = trainer.Apply(root);
            trainTime.Stop();
            long inEpoch = step.Batch + 1;
            double samplesPerSecond = trainer.Step * plan.Batch / Math.Max(1e-9, trainTime.Elapsed.TotalSeconds);
            progress.Step(step.Epoch + 1, plan.Epochs, inEpoch, plan.StepsPerEpoch, trainer.EpochMetrics().Loss, samplesPerSecond);
            if (s.CheckpointEvery > 0 && trainer.Step % s.CheckpointEvery == 0 && !epochEnded)
                run.WriteCheckpoint(Checkpoint(trainer, spec, s, data));
            if (!epochEnded) continue;

            train = trainer.EpochMetrics();
            test = evaluator.Evaluate(trainer.Parameters, data.Test, targetScale);
            bool regression = data.Task == TaskKind.Regression;
            run.AppendMetrics(
            [
                ("epoch", step.Epoch + 1), ("steps", trainer.Step), ("train_loss", train.Loss),
                ("train_accuracy", regression ? null : train.Accuracy), ("test_loss", test.Loss),
                ("test_accuracy", regression ? null : test.Accuracy), ("test_rmse", regression ? test.Rmse : null),
                ("learning_rate", (double)(decimal)lr), ("samples_per_second", samplesPerSecond), ("train_seconds", trainTime.Elapsed.TotalSeconds),
            ]);
            run.WriteCheckpoint(Checkpoint(trainer, spec, s, data));
            progress.Line($"epoch {step.Epoch + 1}/{plan.Epochs}  train_loss {train.Loss:F4}" +
                          (regression ? $"  test_loss {test.Loss:F4}  test_rmse {test.Rmse:G5}" : $"  train_acc {train.Accuracy:F4}  test_loss {test.Loss:F4}  test_acc {test.Accuracy:F4}") +
                          $"  {samplesPerSecond:F0} samples/s");
            trainer.StartEpoch();
        }

        string sha = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(trainer.Parameters.AsSpan())));
        bool isRegression = data.Task == TaskKind.Regression;
        var summary = new Summary
        {
            Dataset = data.Name, DataFingerprint = data.Fingerprint(), Task = data.Task.ToName(), Layers = spec.Layers,
            Activation = spec.Activation.ToName(), Loss = spec.Head.ToName(), Optimizer = s.Optimizer.Kind.ToName(),
            LearningRate = (double)(decimal)s.Schedule.BaseRate, Epochs = plan.Epochs, Steps = trainer.Step, Workers = s.Workers, Batch = plan.Batch,
            MicroShards = plan.MicroShards, Seed = plan.Seed, TrainSamples = data.Train.Count, TestSamples = data.Test.Count,
            TrainLoss = train.Loss, TestLoss = test.Loss,
            TrainAccuracy = isRegression ? null : train.Accuracy, TestAccuracy = isRegression ? null : test.Accuracy,
            TestRmse = isRegression ? test.Rmse : null, BaselineRmse = isRegression ? BaselineRmse(data) : null,
            SamplesPerSecond = trainer.Step * plan.Batch / Math.Max(1e-9, trainTime.Elapsed.TotalSeconds),
            TrainSeconds = trainTime.Elapsed.TotalSeconds, WallSeconds = wall.Elapsed.TotalSeconds,
            Parameters = trainer.Parameters.Length, ParametersSha256 = sha,
        };
        run.WriteSummary(summary);
        progress.Line($"run folder: {run.Path}");
        output.WriteLine($"parameters_sha256: {sha}");
        output.WriteLine(isRegression
            ? $"test_rmse: {test.Rmse:G6} (predicting the training mean: {summary.BaselineRmse:G6})"
            : $"test_accuracy: {test.Accuracy:F4}");
        output.WriteLine($"samples_per_second: {summary.SamplesPerSecond:F0}");
        return 0;
    }

    static void CheckLabels(DataSplit data, int classes)
    {
        try { data.CheckLabels(classes); }
        catch (DataException e) { throw new UsageException(e.Message, e); }
    }

    static float[] TargetScale(DataSplit data)
        => data.TargetTransform is { } t ? t.Scale.Select(x => 1f / x).ToArray() : [];

    /// <summary>RMSE on the test part of always predicting the training mean (0 after standardization).</summary>
    static double BaselineRmse(DataSplit data)
    {
        var test = data.Test;
        var indices = Enumerable.Range(0, test.Count).ToArray();
        var x = new float[test.Count * test.Features];
        var y = new float[test.Count * test.TargetWidth];
        test.Fill(indices, x, y);
        var scale = TargetScale(data);
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double e = y[i] * scale[i % scale.Length];
            sum += e * e;
        }
        return Math.Sqrt(sum / Math.Max(1, y.Length));
    }

    static Checkpoint Checkpoint(Trainer t, ModelSpec spec, TrainSettings s, DataSplit data) => new()
    {
        Spec = spec,
        Parameters = t.Parameters,
        Seed = s.Seed, Epochs = s.Epochs, Batch = s.Batch, MicroShards = s.MicroShards, Step = t.Step,
        EpochLoss = t.EpochLoss, EpochCorrect = t.EpochCorrect,
        OptimizerKind = s.Optimizer.Kind.ToName(), OptimizerSteps = t.Optimizer.Steps, OptimizerState = t.Optimizer.State,
        Dataset = s.DataSpec, Task = data.Task.ToName(),
        FeatureShift = data.Transform.Shift, FeatureScale = data.Transform.Scale,
        TargetShift = data.TargetTransform?.Shift ?? [], TargetScale = data.TargetTransform?.Scale ?? [],
    };
}
