using ActorMlp.Cluster.Actors;
using ActorMlp.Core.Training;
using Akka.Actor;
using Akka.Configuration;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cluster.Hosting;

/// <summary>
/// train --workers N: a coordinator node and N worker nodes in this process, each its own
/// ActorSystem on loopback TCP, so every message crosses real remoting and the real serializer.
/// The workers share this process's copy of the training samples (read-only).
/// </summary>
public static class EmbeddedCluster
{
    public static async Task<RunOutcome> RunAsync(Config config, CoordinatorSetup coordinator, int workers, int coresPerWorker,
        ISampleSource train, string fingerprint, CancellationToken stop = default)
    {
        var (coordinatorSystem, coordinatorActor) = ClusterNode.StartCoordinator(ClusterNode.NodeConfig(config, "coordinator", "127.0.0.1", 0), coordinator);
        var address = AkkaCluster.Get(coordinatorSystem).SelfAddress;
        var systems = new List<ActorSystem>();
        try
        {
            // Workers start side by side: creating an ActorSystem is mostly waiting on its own start-up, and the default command's wall time is mostly start-up.
            var starting = Enumerable.Range(1, workers).Select(i => Task.Run(() =>
            {
                var setup = new WorkerSetup($"worker-{i}", coresPerWorker, train, fingerprint, coordinator.Settings, _ => { });
                return ClusterNode.StartWorker(ClusterNode.NodeConfig(config, "worker", "127.0.0.1", 0), setup, [address]);
            })).ToList();
            try { await Task.WhenAll(starting).ConfigureAwait(false); }
            finally { systems.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)); }
            await using var onStop = stop.Register(() => coordinatorActor.Tell(new StopRun("stop requested")));
            return await coordinator.Done.Task.ConfigureAwait(false);
        }
        finally
        {
            // Workers leave first, so the coordinator sees members leaving, not nodes failing.
            await Task.WhenAll(systems.Select(ClusterNode.LeaveAsync)).ConfigureAwait(false);
            await ClusterNode.LeaveAsync(coordinatorSystem).ConfigureAwait(false);
        }
    }
}
