using ActorMlp.Core.Tensors;

namespace ActorMlp.Cli.Tests;

/// <summary>
/// The kernel paths end to end, in child processes (a runtime switch such as DOTNET_EnableAVX2=0
/// only takes effect at process start): every path this machine runs trains to one set of bits,
/// a CPU without FMA is its own numeric class, and a cluster may mix paths but not classes.
/// </summary>
public sealed class KernelPathProcessTests : IDisposable
{
    readonly Cli _cli = new();
    readonly Processes _processes = new();

    public void Dispose()
    {
        _processes.Dispose();
        _cli.Dispose();
    }

    static readonly string[] Flags = ["--epochs", "2", "--hidden", "32", "--optimizer", "momentum"];
    static readonly Dictionary<string, string> NoEnvironment = [];
    // What .NET reports on a CPU where Vector256 is not accelerated but FMA is (as ARM64: 128-bit vectors, fused).
    static readonly Dictionary<string, string> Only128 = new() { ["DOTNET_PreferredVectorBitWidth"] = "128" };
    // A CPU without AVX2, and so without FMA and accelerated Vector256: the mul-add numeric class.
    static readonly Dictionary<string, string> NoAvx2 = new() { ["DOTNET_EnableAVX2"] = "0" };
    // .NET 10.0.12 turns AVX-512 off with EnableAVX512 (the whole family); EnableAVX512F, which earlier runtimes read, no longer does.
    static readonly Dictionary<string, string> NoAvx512 = new() { ["DOTNET_EnableAVX512"] = "0", ["DOTNET_EnableAVX512F"] = "0" };

    async Task<(string Sha, string Kernel, string Class)> Train(Dictionary<string, string> environment, params string[] extra)
    {
        string run = _cli.NewPath();
        var node = _processes.StartWith(environment, ["train", "--workers", "0", "--progress", "none", "--out", run, .. Flags, .. extra]);
        await node.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(node.Process.ExitCode == 0, node.Text);
        var summary = Cli.Summary(run);
        return (summary.GetProperty("parameters_sha256").GetString()!, summary.GetProperty("kernel").GetString()!,
            summary.GetProperty("numeric_class").GetString()!);
    }

    [Fact]
    public async Task Every_kernel_path_this_machine_runs_trains_to_one_parameters_sha256()
    {
        if (!ComputeKernel.HardwareFma) return; // this CPU has no FMA: its one path is the mul-add class
        var runs = new List<(string What, (string Sha, string Kernel, string Class) Result, string ExpectedKernel)>();
        foreach (var path in ComputeKernel.Supported)
            runs.Add(($"--kernel {ComputeKernel.Name(path)}", await Train(NoEnvironment, "--kernel", ComputeKernel.Name(path)), ComputeKernel.Name(path)));
        runs.Add(("auto with Vector256 not accelerated", await Train(Only128), "vector128"));
        if (ComputeKernel.IsSupported(KernelPath.Avx512))
            runs.Add(("auto without AVX-512", await Train(NoAvx512), "avx2"));

        string sha = runs[0].Result.Sha;
        foreach (var (what, result, expectedKernel) in runs)
        {
            Assert.True(result.Sha == sha, $"{what} trained to {result.Sha}, {runs[0].What} to {sha}");
            Assert.Equal(expectedKernel, result.Kernel);
            Assert.Equal("fma", result.Class);
        }
        // The in-process run (the test host's own best path) agrees too.
        Assert.Equal(sha, Cli.Sha(_cli.Train(Flags)));
    }

    [Fact]
    public async Task A_cpu_without_fma_trains_in_the_mul_add_class_and_refuses_the_wider_paths()
    {
        var (_, kernel, numericClass) = await Train(NoAvx2);
        Assert.Equal("vector128", kernel);
        Assert.Equal("mul-add", numericClass);

        var refused = _processes.StartWith(NoAvx2, ["train", "--workers", "0", "--progress", "none", "--out", _cli.NewPath(), "--kernel", "avx2"]);
        await refused.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(2, refused.Process.ExitCode);
        Assert.Contains("--kernel avx2 (actormlp.compute.kernel) is not available on this CPU; it runs vector128", refused.Text);
    }

    [Fact]
    public void An_unknown_kernel_is_a_usage_error()
    {
        var result = Cli.Run("train", "--kernel", "sse9", "--out", _cli.NewPath());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--kernel", result.Error);
        Assert.Contains("auto, avx512, avx2, vector128", result.Error);
    }

    [Fact]
    public async Task Workers_on_different_paths_train_to_the_bits_of_the_in_process_run()
    {
        string expected = Cli.Sha(_cli.Train(Flags));
        string run = _cli.NewPath();
        int port = Processes.FreePort();
        string seed = $"akka.tcp://actormlp@127.0.0.1:{port}";
        string best = ComputeKernel.Name(ComputeKernel.Best);

        var coordinator = _processes.Start(["coordinator", "--port", port.ToString(), "--min-workers", "2", "--out", run, "--progress", "lines", .. Flags]);
        _processes.Start(["worker", "--seed-node", seed, "--worker-id", "wide", "--kernel", best, .. Flags]);
        _processes.StartWith(Only128, ["worker", "--seed-node", seed, "--worker-id", "narrow", "--kernel", "vector128", .. Flags]);

        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
        Assert.True(coordinator.Process.ExitCode == 0, _processes.Log());
        Assert.Equal(expected, Cli.Sha(run));
    }

    [Fact]
    public async Task A_worker_of_another_numeric_class_is_refused_on_both_sides()
    {
        if (!ComputeKernel.HardwareFma) return; // this CPU has no FMA: there is no second numeric class to mix in
        string run = _cli.NewPath();
        int port = Processes.FreePort();
        string seed = $"akka.tcp://actormlp@127.0.0.1:{port}";
        var coordinator = _processes.Start(["coordinator", "--port", port.ToString(), "--min-workers", "1", "--out", run, "--progress", "lines", .. Flags]);
        var other = _processes.StartWith(NoAvx2, ["worker", "--seed-node", seed, "--worker-id", "no-fma", .. Flags]);

        await other.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(other.Process.ExitCode == 2, _processes.Log());
        Assert.Contains("the coordinator refused this worker", other.Text);
        Assert.Contains("numeric class mul-add, but this run trains on", other.Text);
        await _processes.Until(() => coordinator.Text.Contains("refused worker no-fma"), TimeSpan.FromSeconds(30), "the coordinator's refusal");

        // The run goes on with a worker of its own class.
        _processes.Start(["worker", "--seed-node", seed, "--worker-id", "fma", .. Flags]);
        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(150));
        Assert.True(coordinator.Process.ExitCode == 0, _processes.Log());
    }
}
