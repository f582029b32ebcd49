using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Settings;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using Akka.Actor;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp worker`: one worker node. It loads its data (the data flags of `train`), joins the
/// cluster through --seed-node, registers with the coordinator and computes until the run ends.
/// Exit code 0 when the run finished, 2 when the coordinator refused it (different data).
/// </summary>
public static class WorkerCommand
{
    public static int Run(ParsedArguments args, TextWriter output)
    {
        var config = ConfigLoader.Load(args, OptionTable.NodeCommands);
        var s = TrainSettings.From(config);
        var data = DataOptions.Load(s.DataSpec, s.DataDir, s.TestFraction, s.SplitSeed);
        var seeds = new List<Address>();
        foreach (var seed in config.GetStringList("akka.cluster.seed-nodes"))
            seeds.Add(Address.TryParse(seed, out var address) ? address
                : throw new UsageException($"--seed-node '{seed}' is not an address like akka.tcp://actormlp@HOST:PORT"));
        if (seeds.Count == 0) throw new UsageException("a worker needs --seed-node akka.tcp://actormlp@HOST:PORT (the coordinator)");
        string id = config.GetString("actormlp.cluster.worker-id", "");
        if (string.IsNullOrWhiteSpace(id)) id = $"{Environment.MachineName}-{Environment.ProcessId}";

        var stopped = new TaskCompletionSource<WorkerStopped>(TaskCreationOptions.RunContinuationsAsynchronously);
        var setup = new WorkerSetup(id, s.ThreadsPerWorker, data.Train, data.Fingerprint(), s.Cluster, w => stopped.TrySetResult(w));
        var system = ClusterNode.StartWorker(ClusterNode.NodeConfig(config, "worker"), setup, seeds);
        output.WriteLine($"worker {id} on {Akka.Cluster.Cluster.Get(system).SelfAddress} joining {string.Join(", ", seeds)} with {data.Name} ({data.Fingerprint()})");
        try
        {
            var first = Task.WaitAny(stopped.Task, system.WhenTerminated);
            if (first == 1) throw new RunFailedException("the worker's actor system stopped");
            var result = stopped.Task.Result;
            if (result.Refused) throw new UsageException($"the coordinator refused this worker: {result.Reason}");
            output.WriteLine($"worker {id} stopped: {result.Reason}");
            return 0;
        }
        finally
        {
            ClusterNode.LeaveAsync(system).Wait(TimeSpan.FromSeconds(10));
        }
    }
}
