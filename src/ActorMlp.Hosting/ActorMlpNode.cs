using System.Runtime.ExceptionServices;
using ActorMlp.Cluster.Hosting;
using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActorMlp.Hosting;

/// <summary>
/// One node hosted the Akka.Hosting way in a host of its own: how the actormlp command and the in-process
/// cluster of train --workers N start every node, through the same extensions an application uses
/// (<see cref="ActorMlpHostingExtensions"/>), so there is one way to host a node.
/// Invariants: the host has no console lifetime (the command owns SIGINT/SIGTERM and its exit codes);
/// a node that cannot start throws its own exception from <see cref="Start"/> and leaves nothing running.
/// </summary>
internal sealed class ActorMlpNode : IAsyncDisposable
{
    readonly IHost _host;
    int _stopped;

    ActorMlpNode(IHost host, ActorSystem system) => (_host, System) = (host, system);

    public ActorSystem System { get; }

    /// <summary>
    /// Builds and starts the node; <paramref name="configure"/> adds the node (WithCoordinator/WithWorker) and may
    /// report a failed start to the <see cref="NodeStart"/> it is given, which is then thrown here, as itself.
    /// </summary>
    public static ActorMlpNode Start(Action<AkkaConfigurationBuilder, NodeStart> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>();
        var start = new NodeStart();
        builder.Services.AddAkka(ClusterNode.SystemName, akka => configure(akka, start));
        var host = builder.Build();
        // Created here rather than inside Akka.Hosting's hosted service, which would print a failure's stack
        // on the console before throwing it: a node that cannot bind its port fails with its exception alone.
        ActorSystem system;
        try { system = host.Services.GetRequiredService<ActorSystem>(); }
        catch (Exception e)
        {
            host.Dispose();
            if (Find<Akka.Remote.RemoteTransportException>(e) is { } bind)
                throw new NodeStartException($"the node cannot listen for Akka remoting: {bind.Message.Replace(" See InnerException for details.", "")} " +
                    $"({bind.InnerException?.Message ?? "no reason given"}); choose another --port (akka.remote.dot-netty.tcp.port) or --hostname", e);
            throw;
        }
        var node = new ActorMlpNode(host, system);
        host.StartAsync().GetAwaiter().GetResult();
        if (start.Failure is { } failure)
        {
            node.LeaveAsync().Wait(TimeSpan.FromSeconds(10));
            failure.Throw();
        }
        return node;
    }

    static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T found) return found;
        return null;
    }

    /// <summary>Leaves the cluster gracefully (Akka's coordinated shutdown, run by the host's stop) and disposes the host; once.</summary>
    public async Task LeaveAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        try { await _host.StopAsync().ConfigureAwait(false); }
        finally { _host.Dispose(); }
    }

    public ValueTask DisposeAsync() => new(LeaveAsync());

    /// <summary>Where a node's start-up reports the exception that stopped it (without throwing it inside Akka.Hosting).</summary>
    internal sealed class NodeStart
    {
        public ExceptionDispatchInfo? Failure { get; private set; }

        public void Failed(Exception e) => Failure ??= ExceptionDispatchInfo.Capture(e);
    }

    /// <summary>A host lifetime that waits for nothing and handles no signal.</summary>
    sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancel) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancel) => Task.CompletedTask;
    }
}
