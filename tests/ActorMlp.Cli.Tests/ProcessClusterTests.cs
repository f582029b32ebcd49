namespace ActorMlp.Cli.Tests;

/// <summary>
/// Real `actormlp` processes: a coordinator and two workers on loopback, each its own OS process,
/// must end with the weights of the in-process run.
/// </summary>
public sealed class ProcessClusterTests : IDisposable
{
    readonly Cli _cli = new();
    readonly Processes _processes = new();

    public void Dispose()
    {
        _processes.Dispose();
        _cli.Dispose();
    }

    static readonly string[] Flags = ["--epochs", "2", "--hidden", "32"];

    [Fact]
    public void A_taken_remoting_port_is_refused_naming_it_and_leaves_no_run_folder()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        string run = _cli.NewPath();
        string sentence = $"actormlp: the node cannot listen for Akka remoting: Failed to bind to [127.0.0.1:{port}]";

        var coordinator = Cli.Run(["coordinator", "--hostname", "127.0.0.1", "--port", port.ToString(), "--out", run, .. Flags]);
        Assert.True(coordinator.ExitCode == 2, coordinator.ToString());
        Assert.StartsWith(sentence, coordinator.Error);
        Assert.Contains("--port (akka.remote.dot-netty.tcp.port)", coordinator.Error);
        Assert.False(Directory.Exists(run), "a coordinator that never started left its run folder behind");

        var worker = Cli.Run(["worker", "--hostname", "127.0.0.1", "--port", port.ToString(), "--seed-node", "akka.tcp://actormlp@127.0.0.1:1", .. Flags]);
        Assert.True(worker.ExitCode == 2, worker.ToString());
        Assert.StartsWith(sentence, worker.Error);
    }

    [Fact]
    public async Task Coordinator_and_two_worker_processes_train_to_the_bits_of_the_in_process_run()
    {
        string expected = Cli.Sha(_cli.Train([.. Flags, "--workers", "0"]));
        string run = _cli.NewPath();
        int port = Processes.FreePort();
        string seed = $"akka.tcp://actormlp@127.0.0.1:{port}";

        var coordinator = _processes.Start(["coordinator", "--port", port.ToString(), "--min-workers", "2", "--out", run, "--progress", "lines", .. Flags]);
        var workers = Enumerable.Range(1, 2).Select(i => _processes.Start(["worker", "--seed-node", seed, "--worker-id", $"w{i}", .. Flags])).ToList();

        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
        Assert.True(coordinator.Process.ExitCode == 0, _processes.Log());
        Assert.Equal(expected, Cli.Sha(run));
        Assert.Contains($"parameters_sha256: {expected}", coordinator.Text);
        foreach (var w in workers)
        {
            await w.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(w.Process.ExitCode == 0, _processes.Log());
        }
    }

    [Fact]
    public async Task Worker_processes_allocate_nothing_per_step_on_their_compute_and_link_threads()
    {
        // 8 epochs of 44 steps: well past the meter's warm-up.
        string[] flags = ["--epochs", "8", "--batch", "32", "--hidden", "32"];
        int port = Processes.FreePort();
        string seed = $"akka.tcp://actormlp@127.0.0.1:{port}";
        var coordinator = _processes.Start(["coordinator", "--port", port.ToString(), "--min-workers", "2", "--out", _cli.NewPath(), .. flags]);
        var workers = Enumerable.Range(1, 2).Select(i => _processes.Start(["worker", "--seed-node", seed, "--worker-id", $"w{i}", .. flags])).ToList();

        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
        Assert.True(coordinator.Process.ExitCode == 0, _processes.Log());
        foreach (var w in workers)
        {
            await w.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(System.Text.RegularExpressions.Regex.IsMatch(w.Text, @"allocated_bytes_per_step=0 on the compute thread, 0 on the link thread, \d+ in the process"), w.Text);
        }
    }
}
