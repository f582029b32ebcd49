using System.Diagnostics;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;

namespace ActorMlp.Cluster.Watch;

/// <summary>
/// What the star coordinator tells about its steps as they go: the live instruments
/// (<see cref="TrainingMetrics"/>), the straggler warnings (<see cref="StragglerDetector"/>), the step
/// timeline (<see cref="ChromeTrace"/>, when one is asked for) and each worker's last step for
/// `actormlp status`. Everything is on the coordinator's clock: a worker reports durations only, and
/// its phases are placed backwards from the moment its timing frame, sent right behind its last
/// subtree, is read — so the worker's "subtree sent" ends when the coordinator has the subtree.
/// Without <paramref name="timings"/> (the Akka-message link and peer runs carry none) no worker is waited for;
/// without <paramref name="straggler"/> no worker is named.
/// </summary>
internal sealed class StepWatch(ChromeTrace? trace, StragglerDetector? straggler, int batch, bool timings = true) : IDisposable
{
    const int CoordinatorPid = 1, ReduceTid = 0, WorkerTid = 1;
    const int RateWindow = 20;

    readonly Dictionary<string, int> _pids = new();
    readonly Dictionary<string, (long Step, double Compute, double Wait)> _last = new();
    // Trace only: the workers each step still owes a timing, so the end of the run can wait for the last step's.
    readonly Dictionary<long, HashSet<string>> _owed = new();
    readonly Queue<long> _ends = new();
    long _stepStart, _firstSubtree;

    public double SamplesPerSecond { get; private set; }

    public void StepStarted()
    {
        _stepStart = Stopwatch.GetTimestamp();
        _firstSubtree = 0;
    }

    /// <summary>The worker was given leaves of <paramref name="step"/>.</summary>
    public void Assigned(string worker, long step)
    {
        if (trace is null || !timings) return;
        if (!_owed.TryGetValue(step, out var owed))
        {
            _owed[step] = owed = [];
            foreach (long old in _owed.Keys.Where(s => s < step - 8).ToList()) _owed.Remove(old);
        }
        owed.Add(worker);
    }

    public void SubtreeAccepted()
    {
        if (_firstSubtree == 0) _firstSubtree = Stopwatch.GetTimestamp();
    }

    /// <summary>Every leaf of the step is in; returns the timestamp the optimizer starts at.</summary>
    public long Reduced(long step)
    {
        long now = Stopwatch.GetTimestamp();
        if (trace is not null)
        {
            trace.Name(CoordinatorPid, "coordinator", ReduceTid, "reduce and optimizer");
            trace.Span("reduced", CoordinatorPid, ReduceTid, _firstSubtree == 0 ? now : _firstSubtree, now, step);
        }
        return now;
    }

    /// <summary>The optimizer, started at <paramref name="start"/>, has applied the step.</summary>
    public void Optimized(long step, long start)
    {
        long now = Stopwatch.GetTimestamp();
        trace?.Span("optimizer", CoordinatorPid, ReduceTid, start, now, step);
        Counted(Stopwatch.GetElapsedTime(_stepStart, now).TotalSeconds);
    }

    /// <summary>A step of <paramref name="seconds"/> is done: the step instruments and the recent rate.</summary>
    public void Counted(double seconds)
    {
        long now = Stopwatch.GetTimestamp();
        TrainingMetrics.StepApplied(batch, seconds);
        _ends.Enqueue(now);
        if (_ends.Count > RateWindow) _ends.Dequeue();
        if (_ends.Count >= 2)
        {
            double span = Stopwatch.GetElapsedTime(_ends.Peek(), now).TotalSeconds;
            SamplesPerSecond = span > 0 ? batch * (_ends.Count - 1) / span : 0;
            TrainingMetrics.SamplesPerSecond(SamplesPerSecond);
        }
    }

    public void WeightsWritten(WeightsWritten m)
    {
        if (trace is null) return;
        int pid = Pid(m.WorkerId);
        trace.Name(CoordinatorPid, "coordinator", pid, $"weights to {m.WorkerId}");
        trace.Span("weights sent", CoordinatorPid, pid, m.Start, m.End, m.Step, m.WorkerId);
    }

    /// <summary>A worker's timing of a step; returns a straggler warning to log, or null.</summary>
    public string? WorkerTimed(WorkerTimed m)
    {
        var t = m.Timing;
        double compute = t.Compute / 1e6, wait = t.Wait / 1e6;
        TrainingMetrics.WorkerTimed(m.WorkerId, compute, wait);
        _last[m.WorkerId] = (m.Step, compute, wait);
        if (trace is not null)
        {
            int pid = Pid(m.WorkerId);
            trace.Name(pid, m.WorkerId, WorkerTid, "steps");
            long sentEnd = m.ArrivedAt, sentStart = sentEnd - Ticks(t.Sent);
            long computeStart = sentStart - Ticks(t.Compute);
            long receivedEnd = computeStart - Ticks(t.Queued), receivedStart = receivedEnd - Ticks(t.Received);
            trace.Span("weights received", pid, WorkerTid, receivedStart, receivedEnd, m.Step, m.WorkerId);
            trace.Span("compute", pid, WorkerTid, computeStart, sentStart, m.Step, m.WorkerId);
            trace.Span("subtree sent", pid, WorkerTid, sentStart, sentEnd, m.Step, m.WorkerId);
            if (_owed.TryGetValue(m.Step, out var owed)) owed.Remove(m.WorkerId);
        }
        return straggler?.Observe(m.WorkerId, compute, wait);
    }

    /// <summary>Whether a worker still owes its timing of <paramref name="step"/> (only counted with a trace).</summary>
    public bool Owed(long step) => _owed.TryGetValue(step, out var owed) && owed.Count > 0;

    public void Lost(string worker)
    {
        straggler?.Forget(worker);
        _last.Remove(worker);
        foreach (var owed in _owed.Values) owed.Remove(worker);
    }

    /// <summary>Where the run stands, for `actormlp status`: <paramref name="phase"/>, the trainer's position, and each worker's last reported step (-1 before any).</summary>
    public StatusReported Report(string phase, Core.Training.Trainer trainer, IEnumerable<(string Id, int Cores)> workers)
    {
        var plan = trainer.Plan;
        int epoch = (int)Math.Min(plan.Epochs, trainer.Step / plan.StepsPerEpoch + 1);
        var rows = workers.OrderBy(w => w.Id, StringComparer.Ordinal).Select(w => _last.TryGetValue(w.Id, out var l)
            ? new WorkerStatus(w.Id, w.Cores, l.Step, l.Compute, l.Wait)
            : new WorkerStatus(w.Id, w.Cores, -1, 0, 0)).ToArray();
        return new StatusReported(phase, trainer.Step, plan.TotalSteps, epoch, plan.Epochs, SamplesPerSecond, rows);
    }

    int Pid(string worker)
    {
        if (!_pids.TryGetValue(worker, out int pid)) _pids[worker] = pid = CoordinatorPid + 1 + _pids.Count;
        return pid;
    }

    static long Ticks(long micros) => micros * Stopwatch.Frequency / 1_000_000;

    public void Dispose() => trace?.Dispose();
}
