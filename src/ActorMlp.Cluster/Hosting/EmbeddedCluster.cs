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
            for (int i = 0; i < workers; i++)
            {
                var setup = new WorkerSetup($"worker-{i + 1}", coresPerWorker, train, fingerprint, coordinator.Settings, _ => { });
                systems.Add(ClusterNode.StartWorker(ClusterNode.NodeConfig(config, "worker", "127.0.0.1", 0), setup, [address]));
            }
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
