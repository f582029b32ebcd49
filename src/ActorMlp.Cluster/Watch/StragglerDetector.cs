namespace ActorMlp.Cluster.Watch;

/// <summary>
/// Names a worker whose compute time stays well above the others': over each worker's last
/// <see cref="Window"/> steps, its median compute time against the median of the other workers'
/// medians. Only compute counts — a worker that waits long is held up by others, not slow itself —
/// but the warning gives both, so the two can be told apart. A worker is named at most once per window.
/// </summary>
internal sealed class StragglerDetector(int window = 50, double factor = 2.0)
{
    sealed class History(int window)
    {
        public readonly double[] Compute = new double[window];
        public readonly double[] Wait = new double[window];
        public int Count, Next, SinceWarned;
        public bool Warned;

        public void Add(double compute, double wait)
        {
            Compute[Next] = compute;
            Wait[Next] = wait;
            Next = (Next + 1) % Compute.Length;
            Count = Math.Min(Count + 1, Compute.Length);
            SinceWarned++;
        }

        public bool Full => Count == Compute.Length;
        public double MedianCompute => Median(Compute, Count);
        public double MedianWait => Median(Wait, Count);
    }

    readonly Dictionary<string, History> _workers = new();

    public int Window { get; } = window >= 2 ? window : throw new ArgumentOutOfRangeException(nameof(window), "a straggler window holds at least 2 steps");

    public double Factor { get; } = factor > 1 ? factor : throw new ArgumentOutOfRangeException(nameof(factor), "a straggler factor is above 1");

    /// <summary>Records a step of <paramref name="worker"/>; returns the warning to log when it is now a straggler, else null.</summary>
    public string? Observe(string worker, double computeSeconds, double waitSeconds)
    {
        if (!_workers.TryGetValue(worker, out var mine)) _workers[worker] = mine = new History(Window);
        mine.Add(computeSeconds, waitSeconds);
        if (!mine.Full || mine.Warned && mine.SinceWarned < Window) return null;
        var others = _workers.Where(w => w.Key != worker && w.Value.Full).Select(w => w.Value).ToList();
        if (others.Count == 0) return null;
        double compute = mine.MedianCompute;
        double othersCompute = Median(others.Select(o => o.MedianCompute).ToArray(), others.Count);
        if (othersCompute <= 0 || compute < Factor * othersCompute) return null;
        mine.Warned = true;
        mine.SinceWarned = 0;
        double othersWait = Median(others.Select(o => o.MedianWait).ToArray(), others.Count);
        return $"{worker}: compute {compute / othersCompute:F1}× the median over the last {Window} steps " +
               $"({Ms(compute)} against {Ms(othersCompute)}; its wait {Ms(mine.MedianWait)}, the others' {Ms(othersWait)})";
    }

    /// <summary>Forgets a worker that left the run.</summary>
    public void Forget(string worker) => _workers.Remove(worker);

    static string Ms(double seconds) => $"{seconds * 1000:F1} ms";

    static double Median(double[] values, int count)
    {
        if (count == 0) return 0;
        var sorted = values[..count];
        Array.Sort(sorted);
        return count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    }
}
