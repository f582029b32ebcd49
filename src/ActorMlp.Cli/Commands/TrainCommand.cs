using System.Diagnostics;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Runs;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Core.Training;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp train`: checks every input before it creates the run folder, then trains and records
/// the run. With --workers 0 the steps are computed in this process through the reduction tree.
/// </summary>
public static class TrainCommand
{
    public static int Run(ParsedArguments args, TextWriter output, bool terminal)
    {
        var wall = Stopwatch.StartNew();
        var job = TrainingJob.Prepare(args, OptionTable.Train);
        var s = job.Settings;
        var run = RunFolder.Create(s.Out, DateTime.Now);
        run.WriteConfig(job.ConfigText);
        var progress = new ProgressReporter(output, s.Progress, terminal);
        var recorder = new RunRecorder(job, run, progress);
        progress.Line(Headline(job, s.Workers == 0 ? "in this process" : $"{s.Workers} worker nodes ({s.Cluster.TensorLink.ToString().ToLowerInvariant()} tensor link)"));

        var trainer = job.Trainer;
        if (s.Workers > 0)
        {
            var setup = new CoordinatorSetup(job.Model, trainer, job.Data.Fingerprint(), recorder,
                s.Cluster with { MinWorkers = s.Workers }, new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
            var outcome = EmbeddedCluster.RunAsync(job.Config, setup, s.Workers, s.ThreadsPerWorker, job.Data.Train, setup.Fingerprint)
                .GetAwaiter().GetResult();
            if (!outcome.Succeeded) throw new RunFailedException(outcome.Message);
            recorder.Finish(trainer, s.Workers, outcome.TrainSeconds, wall.Elapsed.TotalSeconds, output);
            return 0;
        }

        var engine = new LocalGradientEngine(job.Model, job.Data.Train, job.Plan, s.ThreadsPerWorker);
        var trainTime = new Stopwatch();
        while (!trainer.Finished)
        {
            var step = trainer.Current;
            trainTime.Start();
            bool epochEnded = trainer.Apply(engine.ComputeRoot(trainer.Parameters, step));
            trainTime.Stop();
            recorder.StepApplied(trainer, step, epochEnded, trainTime.Elapsed.TotalSeconds);
            if (epochEnded) trainer.StartEpoch();
        }
        recorder.Finish(trainer, s.Workers, trainTime.Elapsed.TotalSeconds, wall.Elapsed.TotalSeconds, output);
        return 0;
    }

    public static string Headline(TrainingJob job, string where)
        => $"training {job.Spec} on {job.Data.Name} ({job.Data.Train.Count} train, {job.Data.Test.Count} test), " +
           $"{job.Plan.Epochs} epochs of {job.Plan.StepsPerEpoch} steps, batch {job.Plan.Batch}, " +
           $"{job.Plan.MicroShards} micro-shards, seed {job.Plan.Seed}, {where}";
}
