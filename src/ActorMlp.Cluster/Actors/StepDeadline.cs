namespace ActorMlp.Cluster.Actors;

/// <summary>
/// When a step is late: the larger of a floor and factor × the median of the last 20 step times, so
/// the deadline follows the run's own pace and a first slow step (the JIT, a cold cache) is not a fault.
/// </summary>
internal sealed class StepDeadline(TimeSpan floor, double factor)
{
    const int Window = 20;
    readonly Queue<double> _recent = new();
    readonly List<double> _sorted = new(Window);

    public void StepTook(double seconds)
    {
        _recent.Enqueue(seconds);
        if (_recent.Count > Window) _recent.Dequeue();
    }

    public TimeSpan Next()
    {
        if (_recent.Count == 0) return floor;
        _sorted.Clear();
        _sorted.AddRange(_recent);
        _sorted.Sort();
        var typical = TimeSpan.FromSeconds(_sorted[_sorted.Count / 2] * factor);
        return typical > floor ? typical : floor;
    }
}
