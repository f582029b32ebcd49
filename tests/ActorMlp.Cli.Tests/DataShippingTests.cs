using System.Text.RegularExpressions;

namespace ActorMlp.Cli.Tests;

/// <summary>
/// Worker processes started without data: they fetch the run's training part from the coordinator
/// into their cache folder, keep it for the next start, and train to the bits of the in-process run.
/// </summary>
public sealed class DataShippingTests : IDisposable
{
    readonly Cli _cli = new();
    readonly Processes _processes = new();

    public void Dispose()
    {
        _processes.Dispose();
        _cli.Dispose();
    }

    static readonly string[] Flags = ["--epochs", "1", "--hidden", "16"];

    /// <summary>A coordinator and one worker without --data; the run's parameters_sha256 and the bytes the worker says it fetched.</summary>
    async Task<(string Sha, long Fetched, string WorkerLog)> Run(string[] flags, string cache, params string[] workerData)
    {
        string run = _cli.NewPath();
        int port = Processes.FreePort();
        var coordinator = _processes.Start(["coordinator", "--port", port.ToString(), "--min-workers", "1", "--out", run, "--progress", "none", .. flags]);
        var worker = _processes.Start(["worker", "--seed-node", $"akka.tcp://actormlp@127.0.0.1:{port}", "--worker-id", "bare", "--cache-dir", cache, .. workerData]);
        await coordinator.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(coordinator.Process.ExitCode == 0, _processes.Log());
        await worker.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(worker.Process.ExitCode == 0, _processes.Log());
        var fetched = Regex.Match(worker.Text, @"fetched (\d+) bytes in");
        Assert.True(fetched.Success, worker.Text);
        return (Cli.Sha(run), long.Parse(fetched.Groups[1].Value), worker.Text);
    }

    static string PackIn(string cache) => Assert.Single(Directory.GetFiles(cache, "*.pack"));

    [Fact]
    public async Task A_worker_without_data_trains_to_the_bits_of_the_in_process_run_from_the_wire_the_cache_a_damaged_cache_and_a_partial_copy()
    {
        string expected = Cli.Sha(_cli.Train(Flags));
        string cache = _cli.NewPath("cache");

        var fresh = await Run(Flags, cache);
        Assert.Equal(expected, fresh.Sha);
        long size = new FileInfo(PackIn(cache)).Length;
        Assert.Equal(size, fresh.Fetched);

        var cached = await Run(Flags, cache);
        Assert.Equal(expected, cached.Sha);
        Assert.Equal(0, cached.Fetched);
        Assert.Contains("from the cache", cached.WorkerLog);

        var damaged = File.ReadAllBytes(PackIn(cache));
        damaged[damaged.Length / 3] ^= 0x40;
        File.WriteAllBytes(PackIn(cache), damaged);
        var refetched = await Run(Flags, cache);
        Assert.Equal(expected, refetched.Sha);
        Assert.Equal(size, refetched.Fetched);
        Assert.Contains("is corrupt", refetched.WorkerLog);

        // What a worker killed mid-transfer leaves: the first part of the pack in FILE.part.
        string pack = PackIn(cache);
        int kept = (int)(size / 2);
        File.WriteAllBytes(pack + ".part", File.ReadAllBytes(pack)[..kept]);
        File.Delete(pack);
        var resumed = await Run(Flags, cache, "--data", "from-coordinator");
        Assert.Equal(expected, resumed.Sha);
        Assert.Equal(size - kept, resumed.Fetched);
        Assert.Contains($"resuming from byte {kept}", resumed.WorkerLog);
    }

    [Fact]
    public async Task A_worker_without_data_takes_a_table_in_a_peer_to_peer_run()
    {
        string[] flags = ["--data", $"csv:{Repository.Data("iris.csv")}", "--reduction", "peer", .. Flags];
        string expected = Cli.Sha(_cli.Train(flags));
        var run = await Run(flags, _cli.NewPath("cache"));
        Assert.Equal(expected, run.Sha);
        Assert.True(run.Fetched > 0);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("coordinator")]
    public void Data_from_the_coordinator_is_refused_where_there_is_no_coordinator_to_give_it(string command)
    {
        var result = Cli.Run(command, "--data", "from-coordinator", "--out", _cli.NewPath());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--data from-coordinator is for a worker, which gets the run's data from its coordinator; "
            + "train, coordinator and evaluate need a data set of their own (digits, fashion-mnist, idx:DIR or csv:PATH)", result.Error);
    }
}
