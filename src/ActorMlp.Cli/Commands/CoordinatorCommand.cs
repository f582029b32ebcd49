using System.Diagnostics;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Runs;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp coordinator`: one coordinator node for a multi-process or multi-machine run. It takes
/// the training flags of `train`, waits for --min-workers workers, trains and writes the run folder.
/// </summary>
public static class CoordinatorCommand
{
    public static int Run(ParsedArguments args, TextWriter output, bool terminal)
    {
        var wall = Stopwatch.StartNew();
        var job = TrainingJob.Prepare(args, OptionTable.NodeCommands);
        var s = job.Settings;
        var run = RunFolder.Create(s.Out, DateTime.Now);
        run.WriteConfig(job.ConfigText);
        var progress = new ProgressReporter(output, s.Progress, terminal);
        var recorder = new RunRecorder(job, run, progress);

        var setup = new CoordinatorSetup(job.Model, job.Trainer, job.Data.Fingerprint(), recorder, s.Cluster,
            new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        var (system, _) = ClusterNode.StartCoordinator(ClusterNode.NodeConfig(job.Config, "coordinator"), setup);
        try
        {
            progress.Line($"coordinator {AkkaCluster.Get(system).SelfAddress} waiting for {s.Cluster.MinWorkers} worker(s)");
            progress.Line(TrainCommand.Headline(job, $"workers from the cluster ({s.Cluster.TensorLink.ToString().ToLowerInvariant()} tensor link)"));
            var outcome = setup.Done.Task.GetAwaiter().GetResult();
            if (!outcome.Succeeded) throw new RunFailedException(outcome.Message);
            recorder.Finish(job.Trainer, outcome.WorkersSeen, outcome.TrainSeconds, wall.Elapsed.TotalSeconds, output);
            return 0;
        }
        finally
        {
            ClusterNode.LeaveAsync(system).Wait(TimeSpan.FromSeconds(10));
        }
    }
}
