using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using ActorMlp.Hosting;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Commands;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Core.Training;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cli.Tests;

/// <summary>The meter is process-wide: these runs go one at a time, so that what a scrape shows is theirs.</summary>
[CollectionDefinition(nameof(ProcessMeter), DisableParallelization = true)]
public sealed class ProcessMeter;

[Collection(nameof(ProcessMeter))]
public sealed class RunWatchTests : IDisposable
{
    readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The value of the series <paramref name="name"/> whose labels contain <paramref name="label"/>, or null.</summary>
    static double? Value(string scrape, string name, string label = "")
    {
        foreach (Match m in Regex.Matches(scrape, $@"^{Regex.Escape(name)}(\{{[^}}]*\}})? (\S+)", RegexOptions.Multiline))
            if (m.Groups[1].Value.Contains(label))
                return double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        return null;
    }

    static readonly (string Name, string Label)[] Series =
    [
        ("actormlp_steps_total", ""),
        ("actormlp_samples_total", ""),
        ("actormlp_samples_rate_per_second", ""),
        ("actormlp_step_duration_seconds_count", ""),
        ("actormlp_worker_compute_duration_seconds_count", "worker=\"worker-1\""),
        ("actormlp_worker_compute_duration_seconds_count", "worker=\"worker-2\""),
        ("actormlp_worker_wait_duration_seconds_count", "worker=\"worker-1\""),
        ("actormlp_worker_wait_duration_seconds_count", "worker=\"worker-2\""),
        ("actormlp_workers", ""),
        ("actormlp_leaves_reassigned_total", ""),
        ("actormlp_frames_refused_total", ""),
        ("actormlp_subtrees_verified_total", ""),
        ("actormlp_subtrees_refused_total", ""),
    ];

    [Fact]
    public async Task The_metrics_endpoint_serves_every_instrument_during_a_two_worker_run()
    {
        int port = FreePort();
        string run = _cli.NewPath();
        var training = Task.Run(() => Cli.Run("train", "--out", run, "--progress", "lines", "--workers", "2", "--epochs", "30", "--hidden", "16", "--batch", "128",
            "--metrics-port", port.ToString(CultureInfo.InvariantCulture)));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string last = "";
        string? scrape = null;
        // Scraped while the run goes; it has hundreds of steps, and every one shows on the first scrape after its first.
        while (!training.IsCompleted)
        {
            try { last = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"); }
            catch (HttpRequestException) { }
            if (Series.All(s => Value(last, s.Name, s.Label) is not null) && Value(last, "actormlp_samples_rate_per_second") > 0)
            {
                scrape = last;
                break;
            }
            await Task.Delay(20);
        }
        var result = await training;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"metrics on http://127.0.0.1:{port}/metrics", result.Output);
        Assert.True(scrape is not null, $"the run ended before one scrape showed every instrument; the last one:\n{last}");
        double steps = Value(scrape, "actormlp_steps_total")!.Value;
        Assert.InRange(steps, 2, 30 * (1437 / 128));
        Assert.True(Value(scrape, "actormlp_samples_total") >= 128 * (steps - 1), scrape);
        Assert.Equal(2, Value(scrape, "actormlp_workers"));
        Assert.True(Value(scrape, "actormlp_step_duration_seconds_sum") > 0, scrape);
        Assert.True(Value(scrape, "actormlp_worker_compute_duration_seconds_sum", "worker=\"worker-1\"") > 0, scrape);
        Assert.Equal(0, Value(scrape, "actormlp_leaves_reassigned_total"));
        // Once the run is over, so is the endpoint.
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync($"http://127.0.0.1:{port}/metrics"));
    }

    [Fact]
    public async Task Metrics_on_every_interface_answer_whatever_host_the_scraper_names()
    {
        int port = FreePort();
        string run = _cli.NewPath();
        var training = Task.Run(() => Cli.Run("train", "--out", run, "--progress", "lines", "--workers", "2", "--epochs", "30", "--hidden", "16",
            "--metrics-host", "0.0.0.0", "--metrics-port", port.ToString(CultureInfo.InvariantCulture)));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string? scrape = null;
        while (!training.IsCompleted && scrape is null)
        {
            // As a scraper in a container network asks: by the coordinator's name, not the address it reached.
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/metrics");
            request.Headers.Host = $"coordinator:{port}";
            try
            {
                using var response = await http.SendAsync(request);
                string body = await response.Content.ReadAsStringAsync();
                if (response.IsSuccessStatusCode && Value(body, "actormlp_steps_total") > 0) scrape = body;
            }
            catch (HttpRequestException) { }
            if (scrape is null) await Task.Delay(20);
        }
        var result = await training;

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"metrics on http://0.0.0.0:{port}/metrics", result.Output);
        Assert.True(scrape is not null, "no scrape named by another host answered during the run");
    }

    [Fact]
    public void A_run_folder_that_cannot_be_made_leaves_no_trace_file()
    {
        string run = _cli.Write("not-a-folder", "a file where the run folder would go");
        string trace = Path.Combine(_cli.Root, "never.json");
        var result = Cli.Run("train", "--out", run, "--workers", "2", "--trace", trace);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("is a file, not a folder", result.Error);
        Assert.False(File.Exists(trace) || File.Exists(trace + ".part"), result.ToString());
    }

    [Fact]
    public void A_metrics_port_in_use_is_refused_before_anything_is_written()
    {
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            int port = ((IPEndPoint)taken.LocalEndpoint).Port;
            string run = _cli.NewPath(), trace = Path.Combine(_cli.Root, "unused.json");
            var result = Cli.Run("train", "--out", run, "--workers", "2", "--metrics-port", port.ToString(CultureInfo.InvariantCulture), "--trace", trace);

            Assert.Equal(2, result.ExitCode);
            Assert.StartsWith($"actormlp: --metrics-port {port}: cannot serve metrics on http://127.0.0.1:{port}/ (", result.Error.Trim());
            Assert.False(Directory.Exists(run) || File.Exists(trace) || File.Exists(trace + ".part"));
        }
        finally { taken.Stop(); }
    }

    static readonly string[] WorkerPhases = ["weights sent", "weights received", "compute", "subtree sent"];
    static readonly string[] StepPhases = ["reduced", "optimizer"];

    [Fact]
    public void The_trace_has_every_phase_of_every_step_for_every_worker_in_chrome_trace_format()
    {
        string trace = Path.Combine(_cli.Root, "trace.json");
        string run = _cli.Train("--workers", "2", "--epochs", "2", "--hidden", "16", "--batch", "128", "--trace", trace);

        Assert.False(File.Exists(trace + ".part"));
        using var document = JsonDocument.Parse(File.ReadAllText(trace));
        var events = document.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
        var spans = events.Where(e => e.GetProperty("ph").GetString() == "X").Select(e => (
            Name: e.GetProperty("name").GetString()!,
            Step: e.GetProperty("args").GetProperty("step").GetInt64(),
            Worker: e.GetProperty("args").TryGetProperty("worker", out var w) ? w.GetString() : null,
            Ts: e.GetProperty("ts").GetDouble(),
            Dur: e.GetProperty("dur").GetDouble(),
            Pid: e.GetProperty("pid").GetInt32())).ToList();
        long steps = Cli.Summary(run).GetProperty("steps").GetInt64();
        Assert.Equal(2 * (1437 / 128), steps);
        for (long step = 0; step < steps; step++)
        {
            foreach (var phase in StepPhases)
                Assert.Contains(spans, s => s.Step == step && s.Name == phase);
            foreach (var worker in new[] { "worker-1", "worker-2" })
                foreach (var phase in WorkerPhases)
                    Assert.True(spans.Any(s => s.Step == step && s.Name == phase && s.Worker == worker), $"step {step} has no '{phase}' of {worker}");
        }
        Assert.All(spans, s => Assert.True(s.Dur >= 0, $"{s.Name} of step {s.Step} lasts {s.Dur} µs"));
        // A step's optimizer runs after its reduction, and the next step's weights go out after both.
        var reduced = spans.Where(s => s.Name == "reduced").ToDictionary(s => s.Step);
        var optimizer = spans.Where(s => s.Name == "optimizer").ToDictionary(s => s.Step);
        for (long step = 0; step < steps; step++)
        {
            Assert.True(optimizer[step].Ts >= reduced[step].Ts + reduced[step].Dur - 1, $"step {step}");
            if (step > 0)
                Assert.All(spans.Where(s => s.Step == step && s.Name == "weights sent"),
                    s => Assert.True(s.Ts >= optimizer[step - 1].Ts, $"weights of step {step} before the optimizer of step {step - 1}"));
        }
        // Each node is a process of the trace, named: the coordinator and both workers.
        var processes = events.Where(e => e.GetProperty("name").GetString() == "process_name")
            .Select(e => e.GetProperty("args").GetProperty("name").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "coordinator", "worker-1", "worker-2" }, processes);
        Assert.Equal(3, spans.Select(s => s.Pid).Distinct().Count());
    }

    [Fact]
    public void A_trace_of_a_run_without_workers_is_refused_before_anything_is_written()
    {
        string trace = Path.Combine(_cli.Root, "local.json");
        string run = _cli.NewPath();
        var result = Cli.Run("train", "--out", run, "--workers", "0", "--trace", trace);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("actormlp: --trace records the steps of a cluster run; it needs --workers 1 or more", result.Error.Trim());
        Assert.False(File.Exists(trace) || File.Exists(trace + ".part") || Directory.Exists(run));
    }

    [Fact]
    public async Task Status_prints_the_state_step_rate_and_every_worker_of_a_running_two_worker_cluster()
    {
        var job = TrainingJob.Prepare(ArgumentParser.Parse("coordinator", ["--epochs", "1000", "--hidden", "8"], OptionTable.NodeCommands),
            OptionTable.NodeCommands, TextWriter.Null);
        var observer = new StepCount();
        var setup = job.CoordinatorSetup(observer, job.Settings.Cluster with { MinWorkers = 2 });
        var (system, coordinator) = ClusterNode.StartCoordinator(ClusterNode.NodeConfig(job.Config, "coordinator", "127.0.0.1", 0), setup);
        var address = AkkaCluster.Get(system).SelfAddress;
        var workers = new List<Akka.Actor.ActorSystem>();
        try
        {
            string fingerprint = setup.Fingerprint;
            for (int i = 1; i <= 2; i++)
                workers.Add(ClusterNode.StartWorker(ClusterNode.NodeConfig(job.Config, "worker", "127.0.0.1", 0),
                    new WorkerSetup($"worker-{i}", 1, job.Data.Train, fingerprint, job.Settings.Cluster, _ => { }), [address]));
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (observer.Count < 5 && DateTime.UtcNow < deadline && !setup.Done.Task.IsCompleted) await Task.Delay(20);
            Assert.True(observer.Count >= 5, "the cluster did not train 5 steps within 60 s");

            var result = Cli.Run("status", "--coordinator", address.ToString(), "--timeout", "20");

            Assert.True(result.ExitCode == 0, result.ToString());
            var lines = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var head = Regex.Match(lines[0], @"^run training: step (\d+) of (\d+), epoch (\d+) of 1000, (\d+) samples/s, 2 worker\(s\)$");
            Assert.True(head.Success, result.Output);
            Assert.InRange(long.Parse(head.Groups[1].Value, CultureInfo.InvariantCulture), 5, job.Plan.TotalSteps);
            Assert.Equal(job.Plan.TotalSteps, long.Parse(head.Groups[2].Value, CultureInfo.InvariantCulture));
            Assert.True(long.Parse(head.Groups[4].Value, CultureInfo.InvariantCulture) > 0, result.Output);
            Assert.Matches(@"^worker\s+cores\s+last step\s+compute ms\s+wait ms$", lines[1]);
            for (int i = 1; i <= 2; i++)
                Assert.Matches($@"^worker-{i}\s+1\s+\d+\s+\d+\.\d\d\s+\d+\.\d\d$", lines[1 + i]);
        }
        finally
        {
            coordinator.Tell(new StopRun("the test is done"), Akka.Actor.ActorRefs.NoSender);
            await setup.Done.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.WhenAll(workers.Select(ClusterNode.LeaveAsync));
            await ClusterNode.LeaveAsync(system);
        }
    }

    [Fact]
    public void Status_of_an_address_where_no_coordinator_answers_exits_1_with_a_sentence()
    {
        int port = FreePort();
        var result = Cli.Run("status", "--coordinator", $"akka.tcp://actormlp@127.0.0.1:{port}", "--timeout", "1");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"actormlp: no answer from a coordinator at akka.tcp://actormlp@127.0.0.1:{port} within 1 s; is its run going, and are those its --hostname and --port?",
            result.ErrorLines.Last());
    }

    [Theory]
    [InlineData(new string[0], "actormlp: status needs --coordinator akka.tcp://actormlp@HOST:PORT (the coordinator's address)")]
    [InlineData(new[] { "--coordinator", "localhost:4053" }, "actormlp: --coordinator 'localhost:4053' is not an address like akka.tcp://actormlp@HOST:PORT")]
    [InlineData(new[] { "--coordinator", "akka.tcp://actormlp@127.0.0.1:4053", "--timeout", "0" }, "actormlp: --timeout (actormlp.status.timeout-seconds) must be a number above 0 and at most 3600, got '0'")]
    public void Status_with_bad_flags_exits_2_naming_the_flag(string[] flags, string error)
    {
        var result = Cli.Run(["status", .. flags]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(error, result.Error.Trim());
    }

    sealed class StepCount : ITrainingObserver
    {
        int _count;
        public int Count => Volatile.Read(ref _count);
        public void StepApplied(Trainer trainer, StepAssignment step, bool epochEnded, double trainSeconds) => Interlocked.Increment(ref _count);
        public void Checkpoint(Trainer trainer) { }
    }
}
