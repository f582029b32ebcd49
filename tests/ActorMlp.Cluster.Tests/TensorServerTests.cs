using System.Collections.Concurrent;
using System.Net.Sockets;
using ActorMlp.Cluster.Links;
using Akka.Actor;

namespace ActorMlp.Cluster.Tests;

/// <summary>The coordinator's tensor endpoint against clients that never say who they are.</summary>
public class TensorServerTests
{
    static TcpClient Connect(TensorServer server)
    {
        int colon = server.Endpoint.LastIndexOf(':');
        var client = new TcpClient();
        client.Connect(server.Endpoint[..colon], int.Parse(server.Endpoint[(colon + 1)..]));
        client.ReceiveTimeout = 5000;
        return client;
    }

    // True when the server closed the connection; false when nothing happened within the client's read timeout.
    static bool ClosedByServer(TcpClient client)
    {
        try { return client.GetStream().Read(new byte[1]) == 0; }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut }) { return false; }
        catch (IOException) { return true; }
    }

    static void Until(Func<bool> condition, string what)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!condition()) { Assert.True(limit.ElapsedMilliseconds < 5000, $"no {what}"); Thread.Sleep(5); }
    }

    [Fact]
    public void A_client_that_never_says_hello_is_closed_after_the_hello_timeout()
    {
        var warnings = new ConcurrentQueue<string>();
        using var server = new TensorServer("127.0.0.1", 0, 7, new BufferPool(4), ActorRefs.Nobody, 1 << 16, warnings.Enqueue)
        {
            HelloTimeout = TimeSpan.FromMilliseconds(300),
        };
        using var idle = Connect(server);
        Assert.True(ClosedByServer(idle));
        Until(() => warnings.Any(w => w.Contains("was refused")), "warning naming the refused connection");
    }

    [Fact]
    public void Connections_past_the_cap_of_those_awaiting_hello_are_closed_at_once()
    {
        var warnings = new ConcurrentQueue<string>();
        using var server = new TensorServer("127.0.0.1", 0, 7, new BufferPool(4), ActorRefs.Nobody, 1 << 16, warnings.Enqueue)
        {
            HelloTimeout = TimeSpan.FromSeconds(30),
            MaxAwaitingHello = 3,
        };
        var idle = Enumerable.Range(0, 3).Select(_ => Connect(server)).ToList();
        using var extra = Connect(server);
        Assert.True(ClosedByServer(extra));
        Assert.Contains(warnings, w => w.Contains("already waiting to say hello"));
        foreach (var c in idle) c.Dispose();
    }

    [Fact]
    public void Only_registered_workers_may_open_a_connection()
    {
        var warnings = new ConcurrentQueue<string>();
        using var server = new TensorServer("127.0.0.1", 0, 7, new BufferPool(4), ActorRefs.Nobody, 1 << 16, warnings.Enqueue);
        server.Admit("w1");
        using (new TensorClient(server.Endpoint, "w2", 7, 4, ActorRefs.Nobody, 1 << 16)) { }
        Until(() => warnings.Any(w => w.Contains("'w2' is not a registered worker")), "refusal of the unregistered id");

        // Given up by the coordinator, a worker must register again before it may reconnect.
        server.Close("w1");
        using (new TensorClient(server.Endpoint, "w1", 7, 4, ActorRefs.Nobody, 1 << 16)) { }
        Until(() => warnings.Any(w => w.Contains("'w1' is not a registered worker")), "refusal of the closed id");
    }
}
