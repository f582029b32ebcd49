using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ActorMlp.Cli.Tests;

/// <summary>
/// deploy/netns-cluster.sh: a coordinator and two workers, each in its own network namespace on a
/// capped veth, must end with the weights of the in-process run, send the tensors through the veths,
/// and leave no namespace or veth behind; with --bootstrap the workers start with no data and no seed
/// address, over TLS, and a second run from their cache fetches nothing. Needs root and working
/// network namespaces; skipped otherwise.
/// </summary>
public sealed class NetnsClusterTests : IDisposable
{
    readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    static readonly string[] Flags = ["--epochs", "2", "--hidden", "32"];

    /// <summary>64-32-10: the parameters of the model the flags above give on digits.</summary>
    const int Parameters = 64 * 32 + 32 + 32 * 10 + 10;

    [SkippableFact]
    public async Task Two_workers_in_namespaces_train_to_the_bits_of_the_in_process_run_and_leave_no_namespace_or_veth()
    {
        Skip.IfNot(NamespacesWork(out string why), why);
        string expected = Cli.Sha(_cli.Train([.. Flags, "--workers", "0"]));
        string run = _cli.NewPath();

        var (code, stdout, stderr) = await RunScript(
            ["--workers", "2", "--rate", "1gbit", "--timeout", "140", "--out", run,
             "--dll", Path.Combine(AppContext.BaseDirectory, "actormlp.dll"), .. Flags],
            TimeSpan.FromSeconds(180));
        string log = $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}";

        var network = Regex.Match(stderr, @"^network (amlp\d+):", RegexOptions.Multiline);
        Assert.True(network.Success, log);
        string id = network.Groups[1].Value;
        // Whatever happened to the run, nothing the script made may be left.
        Assert.DoesNotContain(Lines("ip", "netns", "list"), l => l.StartsWith(id + "-", StringComparison.Ordinal));
        Assert.DoesNotContain(Lines("ip", "-o", "link", "show"), l => l.Contains(id, StringComparison.Ordinal));

        Assert.True(code == 0, log);
        Assert.Equal(expected, Cli.Sha(run));
        Assert.Contains($"parameters_sha256: {expected}", stdout);
        foreach (var file in new[] { "coordinator.log", "worker-1.log", "worker-2.log" })
            Assert.True(File.Exists(Path.Combine(run, "logs", file)), $"no logs/{file}\n{log}");

        // Every step the coordinator sends the weights to both workers and each worker sends at least
        // one subtree back, all through the veths: the counters must show it.
        var nodes = Regex.Matches(stdout, @"^node (\S+) +(\S+) +sent +(\d+) B/step .* received +(\d+) B/step", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => (Address: m.Groups[2].Value,
                Sent: double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
                Received: double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture)));
        Assert.Equal(["coordinator", "worker-1", "worker-2"], nodes.Keys.Order());
        Assert.Equal("10.231.0.1", nodes["coordinator"].Address);
        Assert.True(nodes["coordinator"].Sent >= 2 * Parameters * 4, log);
        Assert.True(nodes["coordinator"].Received >= 2 * Parameters * 4, log);
        foreach (var worker in new[] { "worker-1", "worker-2" })
        {
            Assert.True(nodes[worker].Sent >= Parameters * 4, log);
            Assert.True(nodes[worker].Received >= Parameters * 4, log);
        }
    }

    [SkippableFact]
    public async Task With_the_peer_reduction_the_workers_carry_the_tensors_and_the_coordinator_almost_nothing()
    {
        Skip.IfNot(NamespacesWork(out string why), why);
        string[] flags = ["--epochs", "2", "--reduction", "peer"]; // 64-256-128-10
        const int parameters = 64 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;
        string expected = Cli.Sha(_cli.Train(["--epochs", "2", "--workers", "0"]));
        string run = _cli.NewPath();

        var (code, stdout, stderr) = await RunScript(
            ["--workers", "2", "--rate", "1gbit", "--timeout", "140", "--out", run,
             "--dll", Path.Combine(AppContext.BaseDirectory, "actormlp.dll"), .. flags],
            TimeSpan.FromSeconds(180));
        string log = $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}";
        Assert.True(code == 0, log);
        Assert.Equal(expected, Cli.Sha(run));

        var nodes = Regex.Matches(stdout, @"^node (\S+) +(\S+) +sent +(\d+) B/step", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        // Each worker sends the other its half of the subtree and its reduced half back: about P floats.
        foreach (var worker in new[] { "worker-1", "worker-2" }) Assert.True(nodes[worker] >= 0.9 * parameters * 4, log);
        Assert.True(nodes["coordinator"] <= 0.05 * parameters * 4, log);
    }

    [SkippableFact]
    public async Task Workers_without_data_or_seed_address_find_the_coordinator_fetch_its_data_over_tls_and_train_to_the_same_bits()
    {
        Skip.IfNot(NamespacesWork(out string why), why);
        string expected = Cli.Sha(_cli.Train([.. Flags, "--workers", "0"]));
        string cache = _cli.NewPath();
        foreach (bool second in new[] { false, true })
        {
            string run = _cli.NewPath();
            var (code, stdout, stderr) = await RunScript(
                ["--workers", "2", "--rate", "1gbit", "--timeout", "140", "--out", run, "--bootstrap", "--cache", cache,
                 "--dll", Path.Combine(AppContext.BaseDirectory, "actormlp.dll"), .. Flags],
                TimeSpan.FromSeconds(180));
            string log = $"exit {code}\nstdout:\n{stdout}\nstderr:\n{stderr}";
            Assert.True(code == 0, log);
            Assert.Equal(expected, Cli.Sha(run));
            foreach (var worker in new[] { "worker-1", "worker-2" })
            {
                string workerLog = File.ReadAllText(Path.Combine(run, "logs", worker + ".log"));
                // Found through discovery on TLS remoting, with no seed address given.
                Assert.Matches(@"worker worker-\d on akka\.ssl\.tcp://actormlp@10\.231\.0\.\d+:", workerLog);
                var fetch = Regex.Match(stdout, $@"^{worker} data: fetched (\d+) bytes", RegexOptions.Multiline);
                Assert.True(fetch.Success, log + "\n" + workerLog);
                long bytes = long.Parse(fetch.Groups[1].Value, CultureInfo.InvariantCulture);
                // The training part of digits is 1,437 rows of 64 pixels: the first run fetches at least those, the second none.
                if (second) Assert.Equal(0, bytes);
                else Assert.True(bytes >= 1437 * 64, log);
            }
        }
    }

    [DllImport("libc", SetLastError = true)]
    static extern uint geteuid();

    /// <summary>Whether this machine lets the script make its network: root, iproute2, tc and `ip netns add`.</summary>
    static bool NamespacesWork(out string why)
    {
        why = "";
        if (!OperatingSystem.IsLinux()) { why = "network namespaces need Linux"; return false; }
        if (geteuid() != 0) { why = "deploy/netns-cluster.sh needs root (network namespaces, veths, tc), and the tests do not run as root"; return false; }
        try
        {
            if (Run("tc", "-V").Code != 0) { why = "tc is missing (iproute2)"; return false; }
            string probe = $"amlp-test-probe-{Environment.ProcessId}";
            var add = Run("ip", "netns", "add", probe);
            if (add.Code != 0) { why = $"'ip netns add' fails here: {add.Output.Trim()}"; return false; }
            Run("ip", "netns", "del", probe);
            return true;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            why = $"iproute2 is missing ({e.Message})";
            return false;
        }
    }

    static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + error.Result);
    }

    static string[] Lines(string file, params string[] args) => Run(file, args).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Runs the script; past the timeout it gets SIGTERM first, so its trap removes what it made.
    /// </summary>
    static async Task<(int Code, string Stdout, string Stderr)> RunScript(string[] args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(Repository.Root, "deploy", "netns-cluster.sh"));
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Run("kill", "-TERM", process.Id.ToString(CultureInfo.InvariantCulture));
            try { await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)); }
            catch (TimeoutException) { process.Kill(entireProcessTree: true); }
            Assert.Fail($"deploy/netns-cluster.sh did not end within {timeout.TotalSeconds} s\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }
        process.WaitForExit(); // the last lines of output
        lock (stdout) lock (stderr) return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
