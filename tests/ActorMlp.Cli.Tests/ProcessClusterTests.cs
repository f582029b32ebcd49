using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorMlp.Cli.Tests;

/// <summary>
/// Real `actormlp` processes: a coordinator and two workers on loopback, each its own OS process,
/// must end with the weights of the in-process run.
/// </summary>
public sealed class ProcessClusterTests : IDisposable
{
    readonly Cli _cli = new();
    readonly List<(Process Process, StringBuilder Output)> _processes = [];

    public void Dispose()
    {
        foreach (var (p, _) in _processes)
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        _cli.Dispose();
    }

    (Process Process, StringBuilder Output) Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actormlp.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var output = new StringBuilder();
        DataReceivedEventHandler collect = (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add((process, output));
        return (process, output);
    }

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    static string Text(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    static readonly string[] Flags = ["--epochs", "2", "--hidden", "32"];

    [Fact]
    public async Task Coordinator_and_two_worker_processes_train_to_the_bits_of_the_in_process_run()
    {
        string expected = Cli.Sha(_cli.Train([.. Flags, "--workers", "0"]));
        string run = _cli.NewPath();
        int port = FreePort();
        string seed = $"akka.tcp://actormlp@127.0.0.1:{port}";

        var coordinator = Start(["coordinator", "--port", port.ToString(), "--min-workers", "2", "--out", run, "--progress", "lines", .. Flags]);
        var workers = Enumerable.Range(1, 2).Select(i => Start(["worker", "--seed-node", seed, "--worker-id", $"w{i}", .. Flags])).ToList();

        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
        string log = $"coordinator:\n{Text(coordinator.Output)}\nworkers:\n{string.Join("\n", workers.Select(w => Text(w.Output)))}";
        Assert.True(coordinator.Process.ExitCode == 0, log);
        Assert.Equal(expected, Cli.Sha(run));
        Assert.Contains($"parameters_sha256: {expected}", Text(coordinator.Output));
        foreach (var (process, _) in workers)
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(process.ExitCode == 0, log);
        }
    }
}
