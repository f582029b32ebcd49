using System.Diagnostics;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Runs;
using ActorMlp.Cli.Settings;
using ActorMlp.Cli.Watch;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Links;
using ActorMlp.Data;
using ActorMlp.Hosting;
using Akka.Actor;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp coordinator`: one coordinator node for a multi-process or multi-machine run. It takes
/// the training flags of `train`, waits for --min-workers workers, trains and writes the run folder.
/// </summary>
internal static class CoordinatorCommand
{
    public static int Run(ParsedArguments args, TextWriter output, TextWriter error, bool terminal)
    {
        var wall = Stopwatch.StartNew();
        var job = TrainingJob.Prepare(args, OptionTable.NodeCommands, error);
        var s = job.Settings;
        using var metrics = MetricsEndpoint.Start(s.MetricsHost, s.MetricsPort);
        using var trace = job.OpenTrace(workers: 1);
        var run = job.OpenRunFolder();
        var progress = new ProgressReporter(output, s.Progress, terminal);
        var recorder = new RunRecorder(job, run, progress, error);
        if (metrics is not null) progress.Line($"metrics on {metrics.Url}");

        // The training part as a pack, for workers that come without data (a worker with data never asks for it).
        var setup = job.CoordinatorSetup(recorder, s.Cluster, trace) with
        {
            Data = new DataShipper(DataPack.Write(job.Data.Name, job.DataFingerprint, job.Data.Train), job.DataFingerprint),
        };
        IActorRef? coordinator = null;
        ActorMlpNode node;
        try { node = ActorMlpNode.Start((akka, start) => akka.WithCoordinator(job.Config, setup, start: start, started: (_, _, actor) => coordinator = actor)); }
        catch (Exception e) when (e is ManagementEndpointException or NodeStartException)
        {
            if (job.Resumed is null) Directory.Delete(run.Path, recursive: true); // nothing half-written: the run never started
            throw new UsageException(e.Message, e);
        }
        var system = node.System;
        using var stop = new StopSignal();
        using var onStop = stop.Token.Register(() => coordinator!.Tell(new StopRun($"{stop.Name} received")));
        try
        {
            progress.Line($"coordinator {AkkaCluster.Get(system).SelfAddress} waiting for {s.Cluster.MinWorkers} worker(s)");
            if (s.Cluster.Discovery.UsesBootstrap)
            {
                var http = Akka.Management.Dsl.AkkaManagement.Get(system).Settings.Http;
                progress.Line($"workers find it through its management endpoint on {http.EffectiveBindHostname}:{http.EffectiveBindPort}, known as {http.Hostname}:{http.Port} (/alive, /ready)");
            }
            progress.Line(TrainCommand.Headline(job, $"workers from the cluster ({TrainCommand.LinkName(s.Cluster)})"));
            var outcome = setup.Done.Task.GetAwaiter().GetResult();
            return TrainCommand.Conclude(outcome, job, run, recorder, stop, outcome.WorkersSeen, wall.Elapsed.TotalSeconds, output, error);
        }
        finally
        {
            node.LeaveAsync().Wait(TimeSpan.FromSeconds(10));
        }
    }
}
