using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Akka.Management.Dsl;
using Newtonsoft.Json;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cluster.Hosting;

/// <summary>
/// A node's Akka.Management HTTP endpoint, at akka.management.http.bind-hostname:port, plain HTTP:
/// GET /bootstrap/seed-nodes answers Cluster Bootstrap's probes exactly as Akka.Management's own route
/// does (its JSON types, its choice of members); GET /alive answers 200 while the node runs; GET /ready
/// answers 200 once the node is an Up member of the cluster, 503 before and after.
/// Why not Akka.Management's own server: it runs on Ceen.Httpd 0.9.9, and the package feed serves only
/// 0.9.10, whose HttpServer.ListenAsync differs (a MissingMethodException at start). Why not
/// HttpListener: it answers only requests whose Host header names the address it listens on, and
/// probes behind NAT name the advertised address. Why not Kestrel: it would make the ASP.NET Core
/// runtime a requirement of every node for three GET routes. So: one small reader per connection,
/// the request line only, a bounded header and a deadline, one answer, then the connection closes.
/// </summary>
internal sealed class ManagementEndpoint : IDisposable
{
    public const string SeedNodesPath = "/bootstrap/seed-nodes";
    public const string AlivePath = "/alive";
    public const string ReadyPath = "/ready";

    const int MaxRequestBytes = 8192;
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    readonly ActorSystem _system;
    readonly TcpListener _listener;
    readonly CancellationTokenSource _stop = new();

    /// <summary>host:port the endpoint listens on.</summary>
    public string Bound { get; }

    /// <summary>The base address other nodes probe (akka.management.http.hostname and port).</summary>
    public Uri Advertised { get; }

    ManagementEndpoint(ActorSystem system, IPAddress address, int port, string advertisedHost, int advertisedPort)
    {
        _system = system;
        _listener = new TcpListener(address, port);
        _listener.Start();
        int bound = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Bound = $"{address}:{bound}";
        string host = advertisedHost.Contains(':') ? $"[{advertisedHost}]" : advertisedHost;
        Advertised = new Uri($"http://{host}:{(advertisedPort == 0 ? bound : advertisedPort)}/");
        _ = Task.Run(AcceptLoop);
    }

    /// <summary>
    /// Listens where the node's akka.management.http settings say, tells Cluster Bootstrap its own
    /// contact point, and closes with the node. Throws <see cref="ManagementEndpointException"/>,
    /// naming the address and the flags, when it cannot listen.
    /// </summary>
    public static ManagementEndpoint Start(ActorSystem system)
    {
        var http = AkkaManagement.Get(system).Settings.Http;
        string bindHost = http.EffectiveBindHostname;
        string where = $"{bindHost}:{http.EffectiveBindPort}";
        ManagementEndpoint endpoint;
        try
        {
            var address = IPAddress.TryParse(bindHost, out var ip) ? ip
                : Dns.GetHostAddresses(bindHost).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                  ?? throw new SocketException((int)SocketError.HostNotFound);
            endpoint = new ManagementEndpoint(system, address, http.EffectiveBindPort, http.Hostname, http.Port);
        }
        catch (SocketException e)
        {
            throw new ManagementEndpointException($"the management endpoint cannot listen on {where} (--hostname or akka.management.http.bind-hostname, --management-port): {e.Message}", e);
        }
        system.RegisterOnTermination(endpoint.Dispose);
        // Cluster Bootstrap learns its own contact point from the routes it hands a management server.
        ClusterBootstrap.Get(system).Routes(ManagementRouteProviderSettings.Create(endpoint.Advertised, true));
        return endpoint;
    }

    async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested) return;
                continue;
            }
            _ = Task.Run(() => Serve(client));
        }
    }

    async Task Serve(TcpClient client)
    {
        using (client)
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            deadline.CancelAfter(RequestTimeout);
            try
            {
                var stream = client.GetStream();
                var (method, path) = await ReadRequestLine(stream, deadline.Token).ConfigureAwait(false);
                var (code, type, body) = method != "GET" ? (405, "text/plain", "only GET\n") : Answer(path);
                byte[] payload = Encoding.UTF8.GetBytes(body);
                string head = $"HTTP/1.1 {code} {Reason(code)}\r\nContent-Type: {type}; charset=utf-8\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), deadline.Token).ConfigureAwait(false);
                await stream.WriteAsync(payload, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or InvalidDataException or ObjectDisposedException) { }
        }
    }

    /// <summary>The method and the path (without its query) of a request whose head fits in <see cref="MaxRequestBytes"/>.</summary>
    static async Task<(string Method, string Path)> ReadRequestLine(NetworkStream stream, CancellationToken token)
    {
        var buffer = new byte[MaxRequestBytes];
        int length = 0;
        while (true)
        {
            int n = await stream.ReadAsync(buffer.AsMemory(length), token).ConfigureAwait(false);
            if (n == 0) throw new InvalidDataException("the request ended before its head");
            length += n;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0) break;
            if (length == buffer.Length) throw new InvalidDataException("a request head over 8 KiB");
        }
        string line = Encoding.ASCII.GetString(buffer, 0, buffer.AsSpan(0, length).IndexOf("\r\n"u8));
        var parts = line.Split(' ');
        if (parts.Length != 3) throw new InvalidDataException("not an HTTP request line");
        string path = parts[1];
        int query = path.IndexOf('?');
        return (parts[0], query < 0 ? path : path[..query]);
    }

    (int Code, string Type, string Body) Answer(string path)
    {
        var cluster = AkkaCluster.Get(_system);
        switch (path)
        {
            case AlivePath:
                return _system.WhenTerminated.IsCompleted ? (503, "text/plain", "terminated\n") : (200, "text/plain", "alive\n");
            case ReadyPath:
                var status = cluster.SelfMember.Status;
                return (status == MemberStatus.Up ? 200 : 503, "text/plain", status.ToString().ToLowerInvariant() + "\n");
            case SeedNodesPath:
                return (200, "application/json", JsonConvert.SerializeObject(SeedNodes(cluster)));
            default:
                return (404, "text/plain", $"no such path; this endpoint serves {SeedNodesPath}, {AlivePath} and {ReadyPath}\n");
        }
    }

    /// <summary>What Akka.Management's own route answers: no members while this node is on its way out; else the reachable Up, WeaklyUp and Joining ones.</summary>
    static HttpBootstrapJsonProtocol.SeedNodes SeedNodes(AkkaCluster cluster)
    {
        var self = cluster.SelfMember;
        if (self.Status is MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Leaving or MemberStatus.Removed)
            return new HttpBootstrapJsonProtocol.SeedNodes(self.UniqueAddress.Address, ImmutableList<HttpBootstrapJsonProtocol.ClusterMember>.Empty);
        var state = cluster.State;
        var members = state.Members
            .Where(m => !state.Unreachable.Contains(m) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
            .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
            .ToImmutableList();
        return new HttpBootstrapJsonProtocol.SeedNodes(self.UniqueAddress.Address, members);
    }

    static string Reason(int code) => code switch
    {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    };

    public void Dispose()
    {
        if (_stop.IsCancellationRequested) return;
        _stop.Cancel();
        _listener.Stop();
    }
}
