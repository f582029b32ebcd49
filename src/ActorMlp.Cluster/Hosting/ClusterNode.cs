using ActorMlp.Cluster.Actors;
using Akka.Actor;
using Akka.Configuration;
using Akka.Management.Cluster.Bootstrap;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cluster.Hosting;

/// <summary>Starts one node of a run: an ActorSystem named "actormlp" with its role, joined to its seed, running its actor.</summary>
public static class ClusterNode
{
    public const string SystemName = "actormlp";
    internal const string WorkerDispatcher = "actormlp.cluster.worker-dispatcher";

    /// <summary>The configuration of a node of <paramref name="role"/>; a non-null port or host overrides the remoting settings.</summary>
    public static Config NodeConfig(Config config, string role, string? host = null, int? port = null)
    {
        var lines = new List<string> { $"akka.cluster.roles = [\"{role}\"]" };
        if (host is not null) lines.Add($"akka.remote.dot-netty.tcp.hostname = \"{host}\"");
        if (port is not null) lines.Add($"akka.remote.dot-netty.tcp.port = {port}");
        return ConfigurationFactory.ParseString(string.Join("\n", lines)).WithFallback(config);
    }

    /// <summary>
    /// A coordinator node that forms a cluster of its own (it is its own seed). With discovery (config,
    /// kubernetes) it also serves the management endpoint (<see cref="ManagementEndpoint"/>), whose Cluster
    /// Bootstrap route tells the probing workers the cluster's members; it never runs Cluster Bootstrap itself, so the cluster it
    /// forms does not wait on stable margins or on the lowest address among the contact points.
    /// </summary>
    internal static (ActorSystem System, IActorRef Coordinator) StartCoordinator(Config nodeConfig, CoordinatorSetup setup)
    {
        var system = Create(CoordinatorConfig(nodeConfig, setup.Settings), setup.Settings);
        return (system, RunCoordinator(system, setup));
    }

    /// <summary>
    /// What a coordinator's ActorSystem is created with beyond <paramref name="nodeConfig"/>: discovery's
    /// settings and, with <see cref="ClusterSettings.Trust"/>, TLS on (its certificates are <see cref="TlsSetup"/>).
    /// The command and a hosted node (ActorMlp.Hosting) both create their systems from it.
    /// </summary>
    internal static Config CoordinatorConfig(Config nodeConfig, ClusterSettings settings)
        => Secured(settings.Discovery.AkkaConfig(nodeConfig, "coordinator").WithFallback(nodeConfig), settings);

    /// <summary>Starts the coordinator on a system created from <see cref="CoordinatorConfig"/>: it joins itself, serves discovery, runs the actor.</summary>
    internal static IActorRef RunCoordinator(ActorSystem system, CoordinatorSetup setup)
    {
        var cluster = AkkaCluster.Get(system);
        cluster.Join(cluster.SelfAddress);
        if (setup.Settings.Discovery.UsesBootstrap) StartManagement(system);
        var props = setup.Peer is null ? Props.Create(() => new CoordinatorActor(setup)) : Props.Create(() => new PeerCoordinatorActor(setup));
        return system.ActorOf(props, CoordinatorActor.Name);
    }

    /// <summary>The certificates a node with <see cref="ClusterSettings.Trust"/> gives Akka's remoting; null without TLS.</summary>
    internal static Akka.Actor.Setup.Setup? TlsSetup(ClusterSettings settings) => settings.Trust?.AkkaSetup();

    static Config Secured(Config config, ClusterSettings settings) => settings.Trust is null ? config
        : ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.enable-ssl = true").WithFallback(config);

    /// <summary>The node's ActorSystem; with <see cref="ClusterSettings.Trust"/> its remoting is mutual TLS against the cluster's authority.</summary>
    static ActorSystem Create(Config nodeConfig, ClusterSettings settings, string name = SystemName)
    {
        if (TlsSetup(settings) is not { } tls) return ActorSystem.Create(name, nodeConfig);
        return ActorSystem.Create(name, BootstrapSetup.Create().WithConfig(Secured(nodeConfig, settings)).And(tls));
    }

    /// <summary>
    /// A node that only talks to a run's nodes and never joins their cluster (actormlp status): remoting on
    /// any free port, Akka's own chatter kept to errors so that its answer or its one sentence is what shows.
    /// </summary>
    public static ActorSystem StartClient(Config config, ClusterSettings settings)
    {
        var client = ConfigurationFactory.ParseString("""
            akka.actor.provider = remote
            akka.remote.dot-netty.tcp.port = 0
            akka.loglevel = ERROR
            """).WithFallback(config);
        return Create(client, settings, "actormlp-status");
    }

    /// <summary>Leaves the cluster gracefully and terminates the node (Akka's coordinated shutdown).</summary>
    public static Task LeaveAsync(ActorSystem system)
        => CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);

    /// <summary>
    /// A worker node that joins the cluster through <paramref name="seeds"/> (or the configured seed nodes
    /// when empty); with discovery (config, kubernetes) and no seeds, through Cluster Bootstrap, which
    /// probes the contact points' management endpoints until one reports a cluster, and joins it.
    /// A worker never forms a cluster (new-cluster-enabled = off): only a coordinator does.
    /// </summary>
    internal static ActorSystem StartWorker(Config nodeConfig, WorkerSetup setup, IReadOnlyList<Address> seeds)
    {
        var system = Create(WorkerConfig(nodeConfig, setup.Settings, seeds), setup.Settings);
        RunWorker(system, setup, seeds);
        return system;
    }

    /// <summary>
    /// What a worker's ActorSystem is created with beyond <paramref name="nodeConfig"/>: given seeds replace
    /// the configured ones, which Akka would otherwise also try (with their own protocol); without seeds,
    /// discovery's settings; TLS as <see cref="CoordinatorConfig"/>.
    /// </summary>
    internal static Config WorkerConfig(Config nodeConfig, ClusterSettings settings, IReadOnlyList<Address> seeds)
    {
        if (seeds.Count > 0) nodeConfig = ConfigurationFactory.ParseString("akka.cluster.seed-nodes = []").WithFallback(nodeConfig);
        else if (settings.Discovery.UsesBootstrap) nodeConfig = settings.Discovery.AkkaConfig(nodeConfig, "worker").WithFallback(nodeConfig);
        return Secured(nodeConfig, settings);
    }

    /// <summary>Starts the worker on a system created from <see cref="WorkerConfig"/>: it joins the seeds (or bootstraps) and runs the actor.</summary>
    internal static IActorRef RunWorker(ActorSystem system, WorkerSetup setup, IReadOnlyList<Address> seeds)
    {
        if (seeds.Count > 0) AkkaCluster.Get(system).JoinSeedNodes(seeds);
        else if (setup.Settings.Discovery.UsesBootstrap)
        {
            StartManagement(system);
            _ = ClusterBootstrap.Get(system).Start();
        }
        return system.ActorOf(Props.Create(() => new WorkerActor(setup)).WithDispatcher(WorkerDispatcher), WorkerActor.Name);
    }

    /// <summary>Starts the node's management endpoint (<see cref="ManagementEndpoint"/>); a node whose endpoint cannot listen is terminated.</summary>
    static void StartManagement(ActorSystem system)
    {
        try { ManagementEndpoint.Start(system); }
        catch (ManagementEndpointException)
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
            throw;
        }
    }
}
