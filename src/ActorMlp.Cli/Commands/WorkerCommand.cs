using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Settings;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using Akka.Actor;
using ActorMlp.Core.Tensors;
using ActorMlp.Core.Training;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Data;
using ActorMlp.Hosting;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp worker`: one worker node. It loads its data (the data flags of `train`), joins the
/// cluster through --seed-node, registers with the coordinator and computes until the run ends.
/// With --data from-coordinator, or when neither --data nor a config file names data, it fetches the
/// run's training data from the coordinator into its cache folder (--cache-dir) and uses that.
/// If its node is removed from the cluster (the coordinator died, and the split-brain resolver
/// downed the side without it) it starts a fresh node and keeps trying to join, so a resumed
/// coordinator finds it again. SIGINT or SIGTERM make it leave the cluster cleanly.
/// A node that ends on a failed TLS handshake (certificates of another authority) is followed by the
/// next after a growing pause (<see cref="TlsJoinBackoff"/>).
/// Exit codes: 0 the run finished or the worker was asked to stop; 2 the coordinator refused it
/// (different data, or another numeric class), or no TLS handshake with it succeeded for the join timeout.
/// </summary>
internal static class WorkerCommand
{
    public static int Run(ParsedArguments args, TextWriter output)
    {
        var config = ConfigLoader.Load(args, OptionTable.NodeCommands);
        var s = TrainSettings.From(config, OptionTable.FlagOf(OptionTable.NodeCommands));
        s.UseKernel();
        bool fetch = DataOptions.IsFromCoordinator(s.DataSpec) || !ConfigLoader.SetsKey(args, OptionTable.NodeCommands, "actormlp.data.spec");
        var data = fetch ? null : DataOptions.Load(s.DataSpec, s.DataDir, s.TestFraction, s.SplitSeed);
        var seeds = WorkerRecipe.Seeds(config, s.Cluster, OptionTable.FlagOf(OptionTable.NodeCommands));
        var discovery = s.Cluster.Discovery;
        string id = new SettingsReader(config, OptionTable.FlagOf(OptionTable.NodeCommands)).String("actormlp.cluster.worker-id");
        if (string.IsNullOrWhiteSpace(id)) id = $"{Environment.MachineName}-{Environment.ProcessId}";
        string fingerprint = data is null ? "" : TrainSettings.Fingerprint(data.Fingerprint());
        string cache = DataCache.Folder(s.CacheDir);

        using var stop = new StopSignal();
        var stopped = new TaskCompletionSource<WorkerStopped>(TaskCreationOptions.RunContinuationsAsynchronously);
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var setup = new WorkerSetup(id, s.ThreadsPerWorker, data?.Train, fingerprint, s.Cluster, w => stopped.TrySetResult(w),
            () => joined.TrySetResult(), data is null ? WorkerRecipe.Fetcher(cache, s, line => output.WriteLine($"worker {id}: {line}")) : null);
        var signalled = Task.Delay(Timeout.Infinite, stop.Token);
        var handshakes = new TlsJoinBackoff(s.Cluster.JoinTimeout, s.Cluster.Trust, id);
        while (true)
        {
            joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ActorMlpNode node;
            try { node = ActorMlpNode.Start((akka, start) => akka.WithWorker(config, setup, seeds, start: start)); }
            catch (Exception e) when (e is ManagementEndpointException or NodeStartException) { throw new UsageException(e.Message, e); }
            var system = node.System;
            string joining = seeds.Count > 0 ? string.Join(", ", seeds)
                : discovery.Method == DiscoveryMethod.Config ? $"the cluster found through {string.Join(", ", discovery.Endpoints)}"
                : $"the cluster found among the pods labelled {discovery.PodLabelSelector}";
            output.WriteLine($"worker {id} on {Akka.Cluster.Cluster.Get(system).SelfAddress} joining {joining} with {(data is null ? $"the coordinator's data (cache {cache})" : $"{data.Name} ({fingerprint})")}, {ComputeKernel.Describe()}");
            int first = Task.WaitAny([stopped.Task, system.WhenTerminated, signalled], s.Cluster.JoinTimeout);
            if (first == -1 && !joined.Task.IsCompleted)
            {
                output.WriteLine($"worker {id}: not in a run {s.Cluster.JoinTimeout.TotalSeconds:F0} s after starting its node; starting a fresh one");
                node.LeaveAsync().Wait(TimeSpan.FromSeconds(10));
                handshakes.Reset();
                continue;
            }
            if (first == -1) first = Task.WaitAny(stopped.Task, system.WhenTerminated, signalled);
            node.LeaveAsync().Wait(TimeSpan.FromSeconds(10)); // also a node that terminated on its own: its host goes with it
            if (first == 0)
            {
                var result = stopped.Task.Result;
                if (result.Refused) throw new UsageException($"the coordinator refused this worker: {result.Reason}");
                output.WriteLine($"worker {id} stopped: {result.Reason}");
                if (result.Allocation is not null) output.WriteLine($"worker {id} {result.Allocation}");
                return 0;
            }
            if (first == 2)
            {
                output.WriteLine($"worker {id} left the cluster on {stop.Name}");
                return stop.ExitCode; // as train and coordinator do: 130 for SIGINT, 143 for SIGTERM
            }
            if (TlsJoinBackoff.Ended(system))
            {
                if (Task.WaitAny([signalled], handshakes.Failed(output, joining, DateTime.UtcNow)) == -1) continue;
                output.WriteLine($"worker {id} stopped on {stop.Name}");
                return stop.ExitCode;
            }
            handshakes.Reset();
            output.WriteLine($"worker {id}: its node was removed from the cluster; starting a fresh node to rejoin");
        }
    }
}
