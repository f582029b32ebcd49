using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Hosting.Settings;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ActorMlp.Hosting;

/// <summary>
/// ActorMlp nodes in a Microsoft.Extensions.Hosting application, through Akka.Hosting. A hosted node is
/// the command's node: the same reference.conf (serializer binding, dispatchers, cluster tuning) beneath
/// any HOCON the application adds, the same TLS setup, and the same start (<see cref="ClusterNode"/>).
/// </summary>
public static class ActorMlpHostingExtensions
{
    /// <summary>
    /// Registers a coordinator and its run (<see cref="IActorMlpRun"/>) and the ActorSystem "actormlp" that
    /// hosts it; <paramref name="akka"/> may add to that system (health checks, further actors).
    /// The run's inputs are checked here: a bad option throws <see cref="UsageException"/>.
    /// </summary>
    public static IServiceCollection AddActorMlpCoordinator(this IServiceCollection services, ActorMlpCoordinatorOptions options,
        Action<AkkaConfigurationBuilder>? akka = null)
    {
        var run = ActorMlpRun.Prepare(options);
        services.AddSingleton(run);
        services.AddSingleton<IActorMlpRun>(run);
        return services.AddAkka(ClusterNode.SystemName, builder =>
        {
            // The application's additions first: the node's own HOCON, added last, then sits above theirs.
            akka?.Invoke(builder);
            builder.WithActorMlpCoordinator(run);
        });
    }

    /// <summary>Registers a worker (<see cref="ActorMlpWorker"/>) and the ActorSystem "actormlp" that hosts it.</summary>
    public static IServiceCollection AddActorMlpWorker(this IServiceCollection services, ActorMlpWorkerOptions options,
        Action<AkkaConfigurationBuilder>? akka = null)
    {
        var worker = ActorMlpWorker.Prepare(options);
        services.AddSingleton(worker);
        return services.AddAkka(ClusterNode.SystemName, builder =>
        {
            akka?.Invoke(builder);
            builder.WithActorMlpWorker(worker);
        });
    }

    /// <summary>
    /// Runs <paramref name="run"/>'s coordinator on the ActorSystem being built, which must be named "actormlp".
    /// Call it after any AddHocon of the application's own: HOCON prepended later would sit above the node's
    /// role and TLS, and the node refuses to start with another role or TLS setting than its own.
    /// </summary>
    public static AkkaConfigurationBuilder WithActorMlpCoordinator(this AkkaConfigurationBuilder builder, ActorMlpRun run)
        => builder.WithCoordinator(run.Config, run.Setup, started: (system, registry, coordinator) =>
        {
            registry.TryRegister<ActorMlpRun>(coordinator);
            run.Started(system, coordinator);
        });

    /// <summary>Runs <paramref name="worker"/> on the ActorSystem being built, which must be named "actormlp"; call it last, as <see cref="WithActorMlpCoordinator"/>.</summary>
    public static AkkaConfigurationBuilder WithActorMlpWorker(this AkkaConfigurationBuilder builder, ActorMlpWorker worker)
        => builder.WithWorker(worker.Config, worker.Setup, worker.Seeds,
            started: (_, registry, actor) => registry.TryRegister<ActorMlpWorker>(actor));

    /// <summary>
    /// The coordinator node beneath <see cref="WithActorMlpCoordinator"/> and the command: <paramref name="config"/>
    /// (reference.conf beneath) with, when given, the remoting <paramref name="host"/> and <paramref name="port"/>.
    /// With <paramref name="start"/> a failed start is reported there rather than thrown inside Akka.Hosting.
    /// </summary>
    internal static AkkaConfigurationBuilder WithCoordinator(this AkkaConfigurationBuilder builder, Config config, CoordinatorSetup setup,
        string? host = null, int? port = null, ActorMlpNode.NodeStart? start = null, Action<ActorSystem, IActorRegistry, IActorRef>? started = null)
    {
        var settings = setup.Settings;
        Node(builder, "coordinator", ClusterNode.CoordinatorConfig(ClusterNode.NodeConfig(config, "coordinator", host, port), settings), settings);
        return builder.WithActors((system, registry) => Run(start, () =>
        {
            Check(system, "coordinator", settings);
            var coordinator = ClusterNode.RunCoordinator(system, setup);
            started?.Invoke(system, registry, coordinator);
        }));
    }

    /// <summary>The worker node beneath <see cref="WithActorMlpWorker"/> and the command, as <see cref="WithCoordinator"/>.</summary>
    internal static AkkaConfigurationBuilder WithWorker(this AkkaConfigurationBuilder builder, Config config, WorkerSetup setup, IReadOnlyList<Address> seeds,
        string? host = null, int? port = null, ActorMlpNode.NodeStart? start = null, Action<ActorSystem, IActorRegistry, IActorRef>? started = null)
    {
        var settings = setup.Settings;
        Node(builder, "worker", ClusterNode.WorkerConfig(ClusterNode.NodeConfig(config, "worker", host, port), settings, seeds), settings);
        return builder.WithActors((system, registry) => Run(start, () =>
        {
            Check(system, "worker", settings);
            var worker = ClusterNode.RunWorker(system, setup, seeds);
            started?.Invoke(system, registry, worker);
        }));
    }

    static void Run(ActorMlpNode.NodeStart? start, Action body)
    {
        if (start is null)
        {
            body();
            return;
        }
        try { body(); }
        catch (Exception e) { start.Failed(e); }
    }

    /// <summary>Binds options from a configuration section (appsettings.json); an unknown option or a value of the wrong type is refused, naming it.</summary>
    public static T BindActorMlpOptions<T>(this IConfiguration section) where T : ActorMlpNodeOptions, new()
    {
        var options = new T();
        try { section.Bind(options, binder => binder.ErrorOnUnknownConfiguration = true); }
        catch (InvalidOperationException e) { throw new UsageException(e.Message, e); }
        return options;
    }

    /// <summary>
    /// The node's whole configuration goes in beneath whatever else the application gives Akka (it is
    /// reference.conf with the options over it); what makes the node a coordinator or a worker, and TLS,
    /// go in above, so no other HOCON can undo them.
    /// </summary>
    static void Node(AkkaConfigurationBuilder builder, string role, Config node, ClusterSettings settings)
    {
        var above = new List<string> { "akka.actor.provider = cluster", $"akka.cluster.roles = [\"{role}\"]" };
        if (settings.Trust is not null) above.Add("akka.remote.dot-netty.tcp.enable-ssl = true");
        builder.AddHocon(ConfigurationFactory.ParseString(string.Join("\n", above)), HoconAddMode.Prepend);
        builder.AddHocon(node, HoconAddMode.Append);
        if (ClusterNode.TlsSetup(settings) is { } tls) builder.AddSetup(tls);
    }

    /// <summary>The node's ActorSystem is the one its cluster expects: its name, its role, TLS as its settings say.</summary>
    static void Check(ActorSystem system, string role, ClusterSettings settings)
    {
        if (system.Name != ClusterNode.SystemName)
            throw new InvalidOperationException($"an ActorMlp node's ActorSystem must be named {ClusterNode.SystemName}, as every node of its cluster is; this one is named {system.Name}");
        var config = system.Settings.Config;
        if (!config.GetStringList("akka.cluster.roles").Contains(role))
            throw new InvalidOperationException($"an ActorMlp {role}'s ActorSystem must have the role {role}; other HOCON added after the node set akka.cluster.roles to [{string.Join(", ", config.GetStringList("akka.cluster.roles"))}]");
        if (config.GetBoolean("akka.remote.dot-netty.tcp.enable-ssl") != (settings.Trust is not null))
            throw new InvalidOperationException($"actormlp.security.tls is {(settings.Trust is null ? "off" : "on")}, but other HOCON added after the node set akka.remote.dot-netty.tcp.enable-ssl to the opposite");
    }
}
