using System.Net.Sockets;

namespace ActorMlp.Cli.Tests;

/// <summary>
/// A TLS cluster of real processes on loopback, with certificates from `actormlp certs create`, while
/// a node of another authority, a plain TCP client and a flood of idle connections try to get in.
/// </summary>
public sealed class TlsClusterTests : IDisposable
{
    readonly Cli _cli = new();
    readonly Processes _processes = new();

    public void Dispose()
    {
        _processes.Dispose();
        _cli.Dispose();
    }

    static readonly string[] Flags = ["--epochs", "3", "--hidden", "32"];

    [Fact]
    public void Certs_create_refuses_a_bad_count_and_names_the_flag()
    {
        var result = Cli.Run("certs", "create", "--out", _cli.NewPath("certs"), "--nodes", "0");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--nodes", result.Error);
        Assert.Equal(2, Cli.Run("certs").ExitCode);
    }

    [Fact]
    public async Task A_tls_cluster_trains_to_the_bits_of_workers_0_while_strangers_are_refused_on_both_planes()
    {
        string expected = Cli.Sha(_cli.Train([.. Flags, "--workers", "0"]));
        string certs = _cli.NewPath("certs"), other = _cli.NewPath("other-certs");
        Assert.Equal(0, Cli.Run("certs", "create", "--out", certs, "--nodes", "3").ExitCode);
        Assert.Equal(0, Cli.Run("certs", "create", "--out", other, "--nodes", "1").ExitCode);
        string[] Tls(string folder, int node) => ["--tls", "on", "--tls-ca", Path.Combine(folder, "ca.crt"), "--tls-certificate", Path.Combine(folder, $"node-{node}.p12")];

        string run = _cli.NewPath();
        int port = Processes.FreePort(), tensorPort = Processes.FreePort();
        string config = _cli.Write("tensor-port.conf", $"actormlp.cluster.tensor-port = {tensorPort}");
        string seed = $"akka.tcp://actormlp@127.0.0.1:{port}"; // the worker speaks akka.ssl.tcp to it, as its own TLS setting says
        var coordinator = _processes.Start(["coordinator", "--port", port.ToString(), "--min-workers", "2", "--out", run, "--config", config, .. Tls(certs, 1), .. Flags]);
        await _processes.Until(() => coordinator.Text.Contains("waiting for") && Accepts(tensorPort), TimeSpan.FromSeconds(60), "the coordinator to listen");

        // The stranger's certificate on the tensor plane, which its worker never reaches (first: the idle flood below fills the queue of connections awaiting hello): refused at the handshake on both sides.
        var strangerTrust = ActorMlp.Cluster.Security.NodeTrust.Load(Path.Combine(other, "ca.crt"), Path.Combine(other, "node-1.p12"), "", "actormlp.security.");
        var refused = Assert.ThrowsAny<IOException>(() => new ActorMlp.Cluster.Links.TensorClient($"127.0.0.1:{tensorPort}", "stranger", 1, 4,
            Akka.Actor.ActorRefs.Nobody, 1 << 16, strangerTrust));
        Assert.Contains("does not chain to the cluster's authority", refused.Message);
        // Before the members: a node of another authority, idle sockets on both ports, a plain client that says hello in clear.
        var stranger = _processes.Start(["worker", "--seed-node", seed, "--worker-id", "stranger", .. Tls(other, 1), .. Flags]);
        var idle = new List<TcpClient>();
        for (int i = 0; i < 500; i++)
        {
            idle.Add(Open(tensorPort));
            idle.Add(Open(port));
        }
        using (var plain = Open(tensorPort)) plain.GetStream().Write("AMTF not a TLS client hello"u8);
        await _processes.Until(() => coordinator.Text.Contains("refused a TLS connection") && stranger.Text.Contains("refused a TLS connection"),
            TimeSpan.FromSeconds(60), "the stranger refused on both sides");

        var workers = Enumerable.Range(2, 2).Select(i => _processes.Start(["worker", "--seed-node", seed, "--worker-id", $"w{i}", .. Tls(certs, i), .. Flags])).ToList();
        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
        foreach (var c in idle) c.Dispose();
        Assert.True(coordinator.Process.ExitCode == 0, _processes.Log());
        Assert.Equal(expected, Cli.Sha(run));
        Assert.Contains("a tensor connection from", coordinator.Text); // the plain client and the idle flood, named
        Assert.Matches("a tensor connection from .* was refused: TLS handshake refused: .*does not chain to the cluster's authority", coordinator.Text);
        Assert.DoesNotContain("stranger", coordinator.Text.Split('\n').Where(l => l.Contains("joined") || l.Contains("registered")));
        // Started without --data, sharing one cache folder: one of them fetched the run's data over the TLS tensor endpoint.
        Assert.Contains(workers, w => System.Text.RegularExpressions.Regex.IsMatch(w.Text, @"fetched [1-9]\d* bytes"));
        foreach (var w in workers)
        {
            await w.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(w.Process.ExitCode == 0, _processes.Log());
        }
    }

    [Fact]
    public async Task A_worker_with_a_certificate_of_another_authority_says_so_once_backs_off_and_gives_up_after_the_join_timeout()
    {
        string certs = _cli.NewPath("certs"), other = _cli.NewPath("other-certs");
        Assert.Equal(0, Cli.Run("certs", "create", "--out", certs, "--nodes", "1").ExitCode);
        Assert.Equal(0, Cli.Run("certs", "create", "--out", other, "--nodes", "1").ExitCode);
        int port = Processes.FreePort();
        var coordinator = _processes.Start(["coordinator", "--port", port.ToString(), "--out", _cli.NewPath(),
            "--tls", "on", "--tls-ca", Path.Combine(certs, "ca.crt"), "--tls-certificate", Path.Combine(certs, "node-1.p12"), .. Flags]);
        await _processes.Until(() => coordinator.Text.Contains("waiting for"), TimeSpan.FromSeconds(60), "the coordinator to listen");

        string config = _cli.Write("join.conf", "actormlp.cluster.join-timeout = 4s");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stranger = _processes.Start(["worker", "--seed-node", $"akka.tcp://actormlp@127.0.0.1:{port}", "--worker-id", "stranger", "--config", config,
            "--tls", "on", "--tls-ca", Path.Combine(other, "ca.crt"), "--tls-certificate", Path.Combine(other, "node-1.p12"), .. Flags]);
        await stranger.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(stranger.Process.ExitCode == 2, _processes.Log());
        var lines = stranger.Text.Split('\n');
        // Said once while it retried, and as its last word; nodes started after pauses of 1, 2 and 1 s, not one a second or faster.
        Assert.Single(lines, l => l.StartsWith("worker stranger: the TLS handshake with") && l.Contains("does not chain to the cluster's authority"));
        Assert.Contains(lines, l => l.StartsWith("actormlp: the TLS handshake with") && l.Contains("for 4 s (actormlp.cluster.join-timeout)"));
        int nodes = lines.Count(l => l.StartsWith("worker stranger on "));
        Assert.True(nodes is >= 2 and <= 5, $"{nodes} nodes started in {clock.Elapsed.TotalSeconds:F1} s\n{stranger.Text}");
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(4), $"gave up after {clock.Elapsed.TotalSeconds:F1} s");
    }

    static bool Accepts(int port)
    {
        try { Open(port).Dispose(); return true; }
        catch (SocketException) { return false; }
    }

    static TcpClient Open(int port)
    {
        var client = new TcpClient();
        client.Connect("127.0.0.1", port);
        return client;
    }
}
