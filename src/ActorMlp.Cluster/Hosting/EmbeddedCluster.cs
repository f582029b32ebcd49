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
internal static class EmbeddedCluster
{
    public static async Task<RunOutcome> RunAsync(Config config, CoordinatorSetup coordinator, int workers, int coresPerWorker,
        ISampleSource train, string fingerprint, CancellationToken stop = default)
    {
        // Its workers are given the coordinator's address: discovery is for the coordinator and worker commands.
        coordinator = coordinator with { Settings = coordinator.Settings with { Discovery = coordinator.Settings.Discovery with { Method = DiscoveryMethod.SeedNodes } } };
        // Start-up is most of a small run's time: what the workers will compile first is compiled on the other core meanwhile.
        var warmUp = Task.Factory.StartNew(() => WarmUp(coordinator, train, coresPerWorker), TaskCreationOptions.LongRunning);
        var (coordinatorSystem, coordinatorActor) = ClusterNode.StartCoordinator(ClusterNode.NodeConfig(config, "coordinator", "127.0.0.1", 0), coordinator);
        var address = AkkaCluster.Get(coordinatorSystem).SelfAddress;
        var systems = new List<ActorSystem>();
        try
        {
            // Workers start side by side, each on a thread of its own: starting an ActorSystem blocks its
            // thread, and on two cores the thread pool adds threads slowly enough to stall start-up by a second.
            var starting = Enumerable.Range(1, workers).Select(i => Task.Factory.StartNew(() =>
            {
                // The workers share this host with the coordinator: each of their peer endpoints listens on a free port.
                var settings = coordinator.Settings with { TensorPort = 0, TensorPublicPort = 0 };
                var setup = new WorkerSetup($"worker-{i}", coresPerWorker, train, fingerprint, settings, _ => { });
                return ClusterNode.StartWorker(ClusterNode.NodeConfig(config, "worker", "127.0.0.1", 0), setup, [address]);
            }, TaskCreationOptions.LongRunning)).ToList();
            try { await Task.WhenAll(starting).ConfigureAwait(false); }
            finally { systems.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)); }
            await using var onStop = stop.Register(() => coordinatorActor.Tell(new StopRun("stop requested")));
            await warmUp.ConfigureAwait(false);
            return await coordinator.Done.Task.ConfigureAwait(false);
        }
        finally
        {
            // Workers leave first, so the coordinator sees members leaving, not nodes failing.
            await Task.WhenAll(systems.Select(ClusterNode.LeaveAsync)).ConfigureAwait(false);
            await ClusterNode.LeaveAsync(coordinatorSystem).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What every worker does first, done once while the nodes start: the compute kernels and the
    /// message formatters are compiled, so the workers' own warm-up and the run's first messages
    /// find them ready (a worker's link opens sooner, and the run's first step comes sooner).
    /// </summary>
    static void WarmUp(CoordinatorSetup coordinator, ISampleSource train, int coresPerWorker)
    {
        Serialization.ProtocolSerializer.PrepareFormatters();
        new LocalGradientEngine(coordinator.Model, train, coordinator.Trainer.Plan, coresPerWorker).WarmUp();
    }
}
