using ActorMlp.Core.Determinism;
using System.Diagnostics;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Runs;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Core.Tensors;
using ActorMlp.Core.Training;
using ActorMlp.Cli.Settings;
using ActorMlp.Cli.Watch;
using ActorMlp.Hosting;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp train`: checks every input before it creates the run folder, then trains and records
/// the run. With --workers 0 the steps are computed in this process through the reduction tree.
/// </summary>
internal static class TrainCommand
{
    public static int Run(ParsedArguments args, TextWriter output, TextWriter error, bool terminal)
    {
        var wall = Stopwatch.StartNew();
        var job = TrainingJob.Prepare(args, OptionTable.Train, error);
        var s = job.Settings;
        if (s.Workers == 0 && s.Cluster.VerifyFraction > 0)
            throw new UsageException("--verify-fraction checks the subtrees workers send; it needs --workers 1 or more");
        using var metrics = MetricsEndpoint.Start(s.MetricsHost, s.MetricsPort);
        using var trace = job.OpenTrace(s.Workers);
        var run = job.OpenRunFolder();
        var progress = new ProgressReporter(output, s.Progress, terminal);
        if (metrics is not null) progress.Line($"metrics on {metrics.Url}");
        var recorder = new RunRecorder(job, run, progress, error);
        progress.Line(Headline(job, s.Workers == 0 ? (job.GradientPrecision == GradientPrecision.BFloat16 ? "in this process, gradient tree in bfloat16" : "in this process") : $"{s.Workers} worker nodes ({LinkName(s.Cluster)})"));

        var trainer = job.Trainer;
        using var stop = new StopSignal();
        if (s.Workers > 0)
        {
            var setup = job.CoordinatorSetup(recorder, s.Cluster with { MinWorkers = s.Workers }, trace);
            var outcome = EmbeddedCluster.RunAsync(job.Config, setup, s.Workers, s.ThreadsPerWorker, job.Data.Train, setup.Fingerprint,
                stop.Token).GetAwaiter().GetResult();
            return Conclude(outcome, job, run, recorder, stop, s.Workers, wall.Elapsed.TotalSeconds, output, error);
        }

        var engine = new LocalGradientEngine(job.Model, job.Data.Train, job.Plan, s.ThreadsPerWorker, job.GradientPrecision);
        engine.WarmUp();
        var trainTime = new Stopwatch();
        try
        {
            while (!trainer.Finished)
            {
                if (stop.Token.IsCancellationRequested)
                {
                    recorder.Checkpoint(trainer);
                    return Stopped(stop, run, error);
                }
                var step = trainer.Current;
                trainTime.Start();
                bool epochEnded = trainer.Apply(engine.ComputeRoot(trainer.Parameters, step));
                trainTime.Stop();
                recorder.StepApplied(trainer, step, epochEnded, trainTime.Elapsed.TotalSeconds);
                if (epochEnded) trainer.StartEpoch();
            }
            recorder.Finish(trainer, s.Workers, trainTime.Elapsed.TotalSeconds, wall.Elapsed.TotalSeconds, output);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // As a cluster run fails when its record cannot be written: a failed run (exit 1), not a crash.
            throw new RunFailedException(e.Message);
        }
        return 0;
    }

    /// <summary>Turns a cluster run's outcome into the summary and an exit code.</summary>
    public static int Conclude(RunOutcome outcome, TrainingJob job, RunFolder run, RunRecorder recorder, StopSignal stop, int workers,
        double wallSeconds, TextWriter output, TextWriter error)
    {
        switch (outcome.Status)
        {
            case RunStatus.Finished:
                recorder.Finish(job.Trainer, workers, outcome.TrainSeconds, wallSeconds, output);
                return 0;
            case RunStatus.Interrupted:
                return Stopped(stop, run, error);
            default:
                throw new RunFailedException(outcome.Message);
        }
    }

    static int Stopped(StopSignal stop, RunFolder run, TextWriter error)
    {
        error.WriteLine($"actormlp: stopped by {stop.Name}; continue with --resume {run.Path}");
        return stop.ExitCode;
    }

    /// <summary>How a cluster run moves its tensors, in words for the headline.</summary>
    public static string LinkName(ClusterSettings c) => c.Reduction == ReductionKind.Peer
        ? $"peer-to-peer reduction, {c.WirePrecision.ToString().ToLowerInvariant()}"
        : $"{c.TensorLink.ToString().ToLowerInvariant()} tensor link";

    public static string Headline(TrainingJob job, string where)
        => $"training {job.Spec} on {job.Data.Name} ({job.Data.Train.Count} train, {job.Data.Test.Count} test), " +
           $"{job.Plan.Epochs} epochs of {job.Plan.StepsPerEpoch} steps, batch {job.Plan.Batch}{(job.Settings.Batch is null ? " (auto)" : "")}, " +
           $"lr {job.Trainer.Schedule.BaseRate.ToString(System.Globalization.CultureInfo.InvariantCulture)}{(job.Settings.AutoLearningRate is null ? "" : " (auto)")}, " +
           $"{job.Plan.MicroShards} micro-shards, seed {job.Plan.Seed}, {ComputeKernel.Describe()}, {where}";
}
