using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ActorMlp.Core.Tensors;
using ActorMlp.Cli.Commands;
using ActorMlp.Cli.Plots;
using ActorMlp.Core.Checkpoints;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;
using ActorMlp.Data;

namespace ActorMlp.Cli.Runs;

/// <summary>
/// Records a run into its folder as steps are applied: progress, the test evaluation and a
/// metrics row and checkpoint at each epoch end, extra checkpoints every N steps, and at the end
/// summary.json and curves.png. The in-process loop and the cluster coordinator both report to it.
/// </summary>
internal sealed class RunRecorder : ITrainingObserver
{
    readonly TrainingJob _job;
    readonly RunFolder _run;
    readonly ProgressReporter _progress;
    readonly Evaluator _evaluator;
    readonly float[] _targetScale;
    readonly CheckpointStore _checkpoints;
    readonly long _startStep;
    readonly TextWriter _warnings;
    readonly Stopwatch _sinceCurves = Stopwatch.StartNew();
    bool _curvesFailed;
    Evaluation _test;
    bool _evaluated;
    (double Loss, double Accuracy) _train;

    /// <summary>A long run redraws curves.png at an epoch end this long after the last drawing (~50 ms each), a short one only at its end.</summary>
    static readonly TimeSpan CurvesInterval = TimeSpan.FromSeconds(30);

    public RunRecorder(TrainingJob job, RunFolder run, ProgressReporter progress, TextWriter warnings)
    {
        _warnings = warnings;
        _job = job;
        _run = run;
        _progress = progress;
        _evaluator = new Evaluator(job.Model);
        _checkpoints = run.Checkpoints(job.Settings.KeepCheckpoints);
        _startStep = job.Trainer.Step;
        _targetScale = job.Data.TargetTransform?.Unscale() ?? [];
    }

    bool Regression => _job.Data.Task == TaskKind.Regression;

    public void StepApplied(Trainer trainer, StepAssignment step, bool epochEnded, double trainSeconds)
    {
        var plan = trainer.Plan;
        double samplesPerSecond = (trainer.Step - _startStep) * plan.Batch / Math.Max(1e-9, trainSeconds);
        _progress.Step(step.Epoch + 1, plan.Epochs, step.Batch + 1, plan.StepsPerEpoch, trainer.EpochMetrics().Loss, samplesPerSecond);
        int every = _job.Settings.CheckpointEvery;
        if (!epochEnded)
        {
            if (every > 0 && trainer.Step % every == 0) _checkpoints.Write(Snapshot(_job, trainer));
            return;
        }

        Evaluate(trainer);
        _run.AppendMetrics(
        [
            ("epoch", step.Epoch + 1), ("steps", trainer.Step), ("train_loss", _train.Loss),
            ("train_accuracy", Regression ? null : _train.Accuracy), ("test_loss", _test.Loss),
            ("test_accuracy", Regression ? null : _test.Accuracy), ("test_rmse", Regression ? _test.Rmse : null),
            ("learning_rate", (double)(decimal)trainer.Schedule.At(step.Step, plan.StepsPerEpoch, plan.TotalSteps)),
            ("samples_per_second", samplesPerSecond), ("train_seconds", trainSeconds),
        ]);
        byte[] checkpoint = CheckpointFile.Encode(Snapshot(_job, trainer));
        _checkpoints.Write(trainer.Step, checkpoint);
        _run.WriteModel(checkpoint);
        if (_sinceCurves.Elapsed >= CurvesInterval) DrawCurves();
        _progress.Line($"epoch {step.Epoch + 1}/{plan.Epochs}  train_loss {_train.Loss:F4}" +
                       (Regression ? $"  test_loss {_test.Loss:F4}  test_rmse {_test.Rmse:G5}"
                                   : $"  train_acc {_train.Accuracy:F4}  test_loss {_test.Loss:F4}  test_acc {_test.Accuracy:F4}") +
                       $"  {samplesPerSecond:F0} samples/s");
    }

    void Evaluate(Trainer trainer)
    {
        _train = trainer.EpochMetrics();
        _test = _evaluator.Evaluate(trainer.Parameters, _job.Data.Test, _targetScale);
        _evaluated = true;
    }

    public void Checkpoint(Trainer trainer)
    {
        _checkpoints.Write(Snapshot(_job, trainer));
        _progress.Line($"checkpoint of step {trainer.Step} written to {_checkpoints.Path}");
    }

    /// <summary>Writes summary.json and prints the run's headline figures.</summary>
    public Summary Finish(Trainer trainer, int workers, double trainSeconds, double wallSeconds, TextWriter output)
    {
        // A run resumed from the checkpoint of its last step ends without an epoch of its own; its figures are still the model's.
        if (!_evaluated) Evaluate(trainer);
        var data = _job.Data;
        var spec = _job.Spec;
        var plan = trainer.Plan;
        string sha = ParametersSha256(trainer.Parameters);
        var summary = new Summary
        {
            Dataset = data.Name, DataFingerprint = data.Fingerprint(), Task = data.Task.ToName(), Layers = spec.Layers,
            Activation = spec.Activation.ToName(), Loss = spec.Head.ToName(), Optimizer = _job.Settings.Optimizer.Kind.ToName(),
            LearningRate = (double)(decimal)trainer.Schedule.BaseRate, LearningRateChoice = Choice(_job.Settings.AutoLearningRate is not null),
            BatchChoice = Choice(_job.Settings.Batch is null), Epochs = plan.Epochs, Steps = trainer.Step,
            Workers = workers, Batch = plan.Batch, MicroShards = plan.MicroShards, Seed = plan.Seed,
            TrainSamples = data.Train.Count, TestSamples = data.Test.Count, TrainLoss = _train.Loss, TestLoss = _test.Loss,
            TrainAccuracy = Regression ? null : _train.Accuracy, TestAccuracy = Regression ? null : _test.Accuracy,
            TestRmse = Regression ? _test.Rmse : null, BaselineRmse = Regression ? BaselineRmse() : null,
            SamplesPerSecond = (trainer.Step - _startStep) * plan.Batch / Math.Max(1e-9, trainSeconds),
            TrainSeconds = trainSeconds, WallSeconds = wallSeconds,
            Parameters = trainer.Parameters.Length, ParametersSha256 = sha,
            Kernel = ComputeKernel.Name(ComputeKernel.Current), NumericClass = ComputeKernel.NumericClass,
            GradientPrecision = _job.GradientPrecision == Core.Determinism.GradientPrecision.BFloat16 ? "bf16" : "fp32",
        };
        _run.WriteModel(Snapshot(_job, trainer));
        DrawCurves();
        _run.WriteSummary(summary);
        _progress.Line($"run folder: {_run.Path}");
        output.WriteLine($"parameters_sha256: {sha}");
        output.WriteLine(Regression
            ? $"test_rmse: {_test.Rmse:G6} (predicting the training mean: {summary.BaselineRmse:G6})"
            : $"test_accuracy: {_test.Accuracy:F4}");
        output.WriteLine($"samples_per_second: {summary.SamplesPerSecond:F0}");
        return summary;
    }

    /// <summary>
    /// Draws curves.png from metrics.csv. A picture is not worth a run: a failure (no native graphics
    /// library on this machine, say) is one line on standard error, and later drawings are skipped.
    /// </summary>
    void DrawCurves()
    {
        if (_curvesFailed) return;
        try
        {
            var spec = _job.Spec;
            var curves = RunCurves.Read(_run.Path) with
            {
                Description = RunCurves.Describe(_job.Data.Name, spec.Layers, spec.Activation.ToName(), _job.Settings.Optimizer.Kind.ToName()),
            };
            CurvePlot.Write(_run.File(CurvePlot.File), [curves], CurvePlot.Title([curves]));
        }
        catch (Exception e)
        {
            _curvesFailed = true;
            _warnings.WriteLine($"actormlp: {CurvePlot.File} not drawn (the run is unaffected): {e.GetBaseException().Message.Split('\n')[0].Trim()}");
        }
        _sinceCurves.Restart();
    }

    public static string ParametersSha256(float[] parameters) => ActorMlp.Hosting.ActorMlpRunResult.Sha256(parameters);

    /// <summary>RMSE on the test part of always predicting the training mean (0 after standardization).</summary>
    double BaselineRmse()
    {
        var test = _job.Data.Test;
        var x = new float[test.Count * test.Features];
        var y = new float[test.Count * test.TargetWidth];
        test.Fill(Enumerable.Range(0, test.Count).ToArray(), x, y);
        double sum = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double e = y[i] * _targetScale[i % _targetScale.Length];
            sum += e * e;
        }
        return Math.Sqrt(sum / Math.Max(1, y.Length));
    }

    static string Choice(bool auto) => auto ? "auto" : "given";

    /// <summary>The state of a run as a checkpoint: enough to resume it bit for bit, or to use its model.</summary>
    public static Checkpoint Snapshot(TrainingJob job, Trainer t)
    {
        var s = job.Settings;
        var data = job.Data;
        return new Checkpoint
        {
            Spec = job.Spec, Parameters = t.Parameters,
            Seed = s.Seed, Epochs = s.Epochs, Batch = t.Plan.Batch, MicroShards = s.MicroShards, Step = t.Step,
            EpochLoss = t.EpochLoss, EpochCorrect = t.EpochCorrect,
            OptimizerKind = s.Optimizer.Kind.ToName(), OptimizerSteps = t.Optimizer.Steps, OptimizerState = t.Optimizer.State,
            Dataset = s.DataSpec, DataFingerprint = job.DataFingerprint, Task = data.Task.ToName(),
            FeatureShift = data.Transform.Shift, FeatureScale = data.Transform.Scale,
            TargetShift = data.TargetTransform?.Shift ?? [], TargetScale = data.TargetTransform?.Scale ?? [],
        };
    }
}
