using System.Net;

namespace ActorMlp.Cli.Tests;

/// <summary>
/// Real processes on loopback finding each other through Akka Cluster Bootstrap instead of seed
/// addresses, nodes that advertise another address than they bind, and a tensor endpoint that is
/// advertised where nobody listens.
/// </summary>
public sealed class DiscoveryClusterTests : IDisposable
{
    readonly Cli _cli = new();
    readonly Processes _processes = new();
    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public void Dispose()
    {
        _http.Dispose();
        _processes.Dispose();
        _cli.Dispose();
    }

    static readonly string[] Flags = ["--epochs", "2", "--hidden", "32"];

    /// <summary>The status of GET <paramref name="url"/>; null when nothing answers.</summary>
    HttpStatusCode? Get(string url)
    {
        try
        {
            using var response = _http.Send(new HttpRequestMessage(HttpMethod.Get, url));
            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { return null; }
    }

    string[] Worker(int id, int coordinatorManagement, params string[] more)
        => ["worker", "--discovery", "config", "--discovery-endpoints", $"127.0.0.1:{coordinatorManagement}",
            "--management-port", Processes.FreePort().ToString(), "--worker-id", $"w{id}", .. more, .. Flags];

    [Fact]
    public async Task Discovery_by_config_forms_the_cluster_with_no_seed_addresses()
    {
        string expected = Cli.Sha(_cli.Train([.. Flags, "--workers", "0"]));
        string run = _cli.NewPath();
        int management = Processes.FreePort();
        string coordinatorHealth = $"http://127.0.0.1:{management}";

        // A worker that starts before its coordinator keeps probing; it forms no cluster of its own.
        int earlyManagement = Processes.FreePort();
        var early = _processes.Start(["worker", "--discovery", "config", "--discovery-endpoints", $"127.0.0.1:{management}",
            "--management-port", earlyManagement.ToString(), "--worker-id", "w1", .. Flags]);
        await _processes.Until(() => Get($"http://127.0.0.1:{earlyManagement}/alive") == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the early worker's /alive");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, Get($"http://127.0.0.1:{earlyManagement}/ready"));

        var coordinator = _processes.Start(["coordinator", "--discovery", "config", "--management-port", management.ToString(),
            "--min-workers", "2", "--out", run, "--progress", "lines", .. Flags]);
        await _processes.Until(() => Get($"{coordinatorHealth}/ready") == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the coordinator's /ready");
        Assert.Equal(HttpStatusCode.OK, Get($"{coordinatorHealth}/alive"));
        string seeds = await _http.GetStringAsync($"{coordinatorHealth}/bootstrap/seed-nodes");
        Assert.Contains("coordinator", seeds);
        var late = _processes.Start(Worker(2, management));

        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
        Assert.True(coordinator.Process.ExitCode == 0, _processes.Log());
        Assert.Equal(expected, Cli.Sha(run));
        foreach (var w in new[] { early, late })
        {
            await w.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(w.Process.ExitCode == 0, _processes.Log());
            Assert.DoesNotContain("--seed-node", string.Join(' ', w.Process.StartInfo.ArgumentList));
        }
    }

    [Fact]
    public async Task Discovery_by_config_keeps_mutual_tls_on_both_planes_and_trains_to_the_same_bits()
    {
        string expected = Cli.Sha(_cli.Train([.. Flags, "--workers", "0"]));
        string certs = _cli.NewPath("certs");
        Assert.Equal(0, Cli.Run("certs", "create", "--out", certs, "--nodes", "2").ExitCode);
        string[] Tls(int node) => ["--tls", "on", "--tls-ca", Path.Combine(certs, "ca.crt"), "--tls-certificate", Path.Combine(certs, $"node-{node}.p12")];
        string run = _cli.NewPath();
        int management = Processes.FreePort();

        var coordinator = _processes.Start(["coordinator", "--discovery", "config", "--management-port", management.ToString(),
            "--min-workers", "1", "--out", run, "--progress", "lines", .. Tls(1), .. Flags]);
        var worker = _processes.Start(Worker(1, management, Tls(2)));

        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
        Assert.True(coordinator.Process.ExitCode == 0, _processes.Log());
        Assert.Equal(expected, Cli.Sha(run));
        Assert.Contains("akka.ssl.tcp://actormlp@", coordinator.Text);
        await worker.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(worker.Process.ExitCode == 0, _processes.Log());
    }

    [Fact]
    public async Task A_coordinator_that_binds_every_interface_and_advertises_another_name_still_trains()
    {
        string expected = Cli.Sha(_cli.Train([.. Flags, "--workers", "0"]));
        string run = _cli.NewPath();
        int port = Processes.FreePort();
        // Remoting and the tensor endpoint bind 0.0.0.0, which no worker can connect to; both advertise "localhost".
        var coordinator = _processes.Start(["coordinator", "--hostname", "0.0.0.0", "--public-hostname", "localhost", "--port", port.ToString(),
            "--min-workers", "1", "--out", run, "--progress", "lines", .. Flags]);
        var worker = _processes.Start(["worker", "--seed-node", $"akka.tcp://actormlp@localhost:{port}", "--worker-id", "w1", .. Flags]);

        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
        Assert.True(coordinator.Process.ExitCode == 0, _processes.Log());
        Assert.Contains($"coordinator akka.tcp://actormlp@localhost:{port} waiting", coordinator.Text);
        Assert.Equal(expected, Cli.Sha(run));
        await worker.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(worker.Process.ExitCode == 0, _processes.Log());
    }

    [Theory]
    [InlineData("star", true)]
    [InlineData("peer", true)]
    [InlineData("star", false)]
    public async Task A_tensor_endpoint_advertised_where_nobody_listens_is_named_in_one_line_on_the_worker_and_on_the_coordinator(string reduction, bool withData)
    {
        int port = Processes.FreePort(), nobody = Processes.FreePort();
        string config = _cli.Write($"short-start-{reduction}.conf", "actormlp.cluster.start-timeout = 10s");
        var coordinator = _processes.Start(["coordinator", "--port", port.ToString(), "--tensor-public-port", nobody.ToString(), "--reduction", reduction,
            "--min-workers", "1", "--out", _cli.NewPath(), "--config", config, .. Flags]);
        // With data the worker fails to open its tensor link; without, to fetch the data from the same endpoint.
        var worker = _processes.Start(["worker", "--seed-node", $"akka.tcp://actormlp@127.0.0.1:{port}", "--worker-id", "w1",
            .. Flags, .. withData ? new[] { "--data", "digits" } : []]);

        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(coordinator.Process.ExitCode == 1, _processes.Log());
        string endpoint = $"127.0.0.1:{nobody}";
        var workerLines = Lines(worker.Text, $"cannot open the tensor link to {endpoint}");
        Assert.True(workerLines.Count == 1, _processes.Log());
        Assert.Contains("actormlp.cluster.tensor-public-host", workerLines[0]);
        var coordinatorLines = Lines(coordinator.Text, $"worker w1 at akka.tcp://actormlp@127.0.0.1:");
        Assert.True(coordinatorLines.Count == 1, _processes.Log());
        Assert.Contains(withData ? $"registered but cannot open its tensor link to {endpoint}" : $"has no data and cannot open its tensor link to {endpoint} to fetch it",
            coordinatorLines[0]);
        Assert.Contains("actormlp.cluster.tensor-public-host", coordinatorLines[0]);
        if (withData) Assert.Contains("registered but never connected a tensor link: w1", coordinator.Text);
    }

    static List<string> Lines(string text, string containing) => text.Split('\n').Where(l => l.Contains(containing)).ToList();

    [Theory]
    [InlineData(new[] { "--discovery", "config" }, "--discovery config needs --discovery-endpoints")]
    [InlineData(new[] { "--discovery", "config", "--discovery-endpoints", "127.0.0.1:8558", "--seed-node", "akka.tcp://actormlp@127.0.0.1:4053" }, "--seed-node and --discovery config both say how to find the cluster")]
    [InlineData(new[] { "--discovery", "dns" }, "actormlp.discovery.method must be seed-nodes, config or kubernetes, got 'dns'")]
    [InlineData(new[] { "--discovery", "config", "--discovery-endpoints", "coordinator" }, "'coordinator' is not HOST:PORT")]
    [InlineData(new string[0], "a worker needs --seed-node akka.tcp://actormlp@HOST:PORT (the coordinator), or --discovery config|kubernetes")]
    public void A_worker_told_no_way_or_two_ways_to_find_the_cluster_is_refused_in_one_sentence(string[] flags, string expected)
    {
        var result = Cli.Run(["worker", .. flags, "--epochs", "1"]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.Error);
        Assert.Single(result.ErrorLines);
    }

    [SkippableFact]
    public void Kubernetes_discovery_outside_a_pod_is_refused_in_one_sentence()
    {
        Skip.If(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 }, "this test runs outside Kubernetes");
        var result = Cli.Run("worker", "--discovery", "kubernetes", "--epochs", "1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--discovery kubernetes asks the Kubernetes API for the run's pods, and this process is not in a pod", result.Error);
    }

    [Fact]
    public async Task A_management_port_already_taken_is_refused_naming_the_address_and_the_flag()
    {
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var worker = _processes.Start(["worker", "--discovery", "config", "--discovery-endpoints", "127.0.0.1:1", "--management-port", port.ToString(), .. Flags]);
        await worker.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, worker.Process.ExitCode);
        Assert.Contains($"the management endpoint cannot listen on 127.0.0.1:{port} (--hostname or akka.management.http.bind-hostname, --management-port)", worker.Text);
        Assert.DoesNotContain("   at ", worker.Text); // the sentence alone, no stack printed by the node's host
    }
}
