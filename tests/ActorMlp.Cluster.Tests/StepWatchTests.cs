using System.Diagnostics;
using System.Text.Json;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Watch;

namespace ActorMlp.Cluster.Tests;

public sealed class StepWatchTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("actormlp-stepwatch-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static List<(string Name, double Ts, double Dur, int Pid, long Step)> Spans(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty("traceEvents").EnumerateArray()
            .Where(e => e.GetProperty("ph").GetString() == "X")
            .Select(e => (e.GetProperty("name").GetString()!, e.GetProperty("ts").GetDouble(), e.GetProperty("dur").GetDouble(),
                e.GetProperty("pid").GetInt32(), e.GetProperty("args").GetProperty("step").GetInt64()))
            .ToList();
    }

    [Fact]
    public void A_workers_phases_end_where_the_coordinator_read_its_timing_and_follow_each_other_backwards()
    {
        string path = Path.Combine(_folder, "trace.json");
        var watch = new StepWatch(new ChromeTrace(path), new StragglerDetector(), batch: 128);
        long arrived = Stopwatch.GetTimestamp() + Stopwatch.Frequency; // a second after the trace began
        watch.Assigned("worker-1", 7);
        Assert.True(watch.Owed(7));

        var straggler = watch.WorkerTimed(new WorkerTimed("worker-1", 7, new StepTiming(Received: 300, Queued: 50, Compute: 4000, Sent: 200, Wait: 900), arrived));

        Assert.Null(straggler);
        Assert.False(watch.Owed(7));
        var status = watch.Report("training", Fixtures.NewTrainer(), [("worker-1", 2)]);
        Assert.Equal(new Protocol.WorkerStatus("worker-1", 2, 7, 0.004, 0.0009), Assert.Single(status.Workers));
        watch.Dispose();

        Assert.False(File.Exists(path + ".part"));
        var spans = Spans(path).ToDictionary(s => s.Name);
        Assert.Equal(["weights received", "compute", "subtree sent"], spans.Values.OrderBy(s => s.Ts).Select(s => s.Name));
        Assert.All(spans.Values, s => Assert.Equal((2, 7L), (s.Pid, s.Step)));
        var (received, compute, sent) = (spans["weights received"], spans["compute"], spans["subtree sent"]);
        Assert.Equal((300.0, 4000.0, 200.0), (Math.Round(received.Dur), Math.Round(compute.Dur), Math.Round(sent.Dur)));
        Assert.Equal(sent.Ts, compute.Ts + compute.Dur, 0.01);
        Assert.Equal(compute.Ts - 50, received.Ts + received.Dur, 0.01);
        Assert.InRange(sent.Ts + sent.Dur, 0.99e6, 1.5e6);
    }

    [Fact]
    public void Without_timings_no_worker_is_waited_for()
    {
        var watch = new StepWatch(new ChromeTrace(Path.Combine(_folder, "akka.json")), new StragglerDetector(), batch: 128, timings: false);
        watch.Assigned("worker-1", 0);
        Assert.False(watch.Owed(0));
        watch.Dispose();
    }
}
