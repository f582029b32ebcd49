namespace ActorMlp.Cluster.Actors;

/// <summary>
/// Managed bytes a worker allocates per training step in steady state: on its compute thread (from
/// taking weights to sending subtrees), and in the whole process (Akka's messages included). The
/// first <see cref="WarmUpSteps"/> steps are left out: they fill pools and caches once.
/// </summary>
public sealed class AllocationMeter
{
    public const int WarmUpSteps = 20;

    long _firstStep = -1, _lastStep = -1, _steps, _thread, _processAtStart, _processAtLast, _threadAtBegin;

    public void Begin() => _threadAtBegin = GC.GetAllocatedBytesForCurrentThread();

    public void End(long step)
    {
        long now = GC.GetAllocatedBytesForCurrentThread();
        if (_firstStep < 0) _firstStep = step;
        if (step == _lastStep || step < _firstStep + WarmUpSteps) return;
        long process = GC.GetTotalAllocatedBytes(precise: true);
        if (_steps == 0) _processAtStart = process;
        else _thread += now - _threadAtBegin;
        _processAtLast = process;
        _lastStep = step;
        _steps++;
    }

    /// <summary>One log line for the steps measured, or null before any.</summary>
    public string? Report()
    {
        if (_steps < 2) return null;
        long measured = _steps - 1;
        double process = (_processAtLast - _processAtStart) / (double)measured;
        return $"allocated_bytes_per_step={_thread / (double)measured:F0} on the compute thread, {process:F0} in the process, over {measured} steps";
    }
}
