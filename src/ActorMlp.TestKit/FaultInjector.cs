using System.Collections.Concurrent;

namespace ActorMlp.TestKit;

/// <summary>
/// The faults of a <see cref="ClusterFixture"/> run, declared before it starts: <c>At("worker-1", 3, FaultPhase.WeightsArrived).Kill()</c>.
/// The kit acts on the worker's side, from inside its tensor link, so a fault lands at exactly that step and
/// phase whatever the timing; <see cref="Fired"/> lists what did act, so a spec can tell a fault that never came.
/// </summary>
public sealed class FaultInjector
{
    readonly List<FaultRule> _rules = [];
    readonly ConcurrentQueue<FaultRule> _fired = new();
    readonly HashSet<FaultRule> _once = [];

    /// <summary>Starts a fault on worker <paramref name="worker"/> at step <paramref name="step"/> and <paramref name="phase"/>.</summary>
    public FaultBuilder At(string worker, long step, FaultPhase phase) => new(this, worker, step, phase);

    /// <summary>Adds a rule as it is.</summary>
    public FaultInjector Add(FaultRule rule)
    {
        lock (_rules) _rules.Add(rule);
        return this;
    }

    /// <summary>The rules declared so far.</summary>
    public IReadOnlyList<FaultRule> Rules { get { lock (_rules) return [.. _rules]; } }

    /// <summary>The rules that have acted, in the order they did (a frame fault once per frame).</summary>
    public IReadOnlyList<FaultRule> Fired => [.. _fired];

    /// <summary>The rules due for this worker's frame; one-shot rules are handed out once.</summary>
    internal List<FaultRule> Due(string worker, long step, FaultPhase phase)
    {
        var due = new List<FaultRule>();
        lock (_rules)
            foreach (var r in _rules)
            {
                if (r.Worker != worker || r.Step != step || r.Phase != phase) continue;
                bool perFrame = r.Kind is FaultKind.Delay or FaultKind.Drop or FaultKind.Corrupt;
                if (!perFrame && !_once.Add(r)) continue;
                due.Add(r);
                _fired.Enqueue(r);
            }
        return due;
    }
}

/// <summary>Names what a fault declared with <see cref="FaultInjector.At"/> does; see <see cref="FaultRule"/> for what each really does.</summary>
public readonly struct FaultBuilder
{
    readonly FaultInjector _faults;
    readonly string _worker;
    readonly long _step;
    readonly FaultPhase _phase;

    internal FaultBuilder(FaultInjector faults, string worker, long step, FaultPhase phase) => (_faults, _worker, _step, _phase) = (faults, worker, step, phase);

    FaultInjector Add(FaultKind kind, TimeSpan duration = default, Action? then = null) => _faults.Add(new FaultRule(_worker, _step, _phase, kind, duration, then));

    /// <summary>Crashes the worker's node: its tensor socket closes and its ActorSystem stops without leaving the cluster.</summary>
    public FaultInjector Kill() => Add(FaultKind.Kill);

    /// <summary>Blocks the worker actor's thread for <paramref name="duration"/>: a straggler.</summary>
    public FaultInjector Pause(TimeSpan duration) => Add(FaultKind.Pause, duration);

    /// <summary>Holds each frame of the step for <paramref name="duration"/>.</summary>
    public FaultInjector Delay(TimeSpan duration) => Add(FaultKind.Delay, duration);

    /// <summary>Loses each frame of the step.</summary>
    public FaultInjector Drop() => Add(FaultKind.Drop);

    /// <summary>Flips the top mantissa bit of every value of each frame of the step.</summary>
    public FaultInjector Corrupt() => Add(FaultKind.Corrupt);

    /// <summary>Cuts the worker off from the coordinator: remoting blackholed both ways, the tensor link silent.</summary>
    public FaultInjector Partition() => Add(FaultKind.Partition);

    /// <summary>Runs <paramref name="action"/> there, e.g. <c>() => cluster.StartWorker("worker-3")</c> for a worker joining mid-run.</summary>
    public FaultInjector Then(Action action) => Add(FaultKind.Action, then: action);
}
