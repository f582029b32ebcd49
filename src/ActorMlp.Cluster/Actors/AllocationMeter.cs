using System.Diagnostics;

namespace ActorMlp.Cluster.Actors;

/// <summary>
/// Managed bytes a worker allocates per training step in steady state: on its compute thread (the
/// actor's own, all it does), on its tensor link's reader thread, and in the whole process.
/// The process figure also holds Akka's remoting and cluster upkeep, which runs on a clock rather
/// than per step, so it is given per second as well. The first <see cref="WarmUpSteps"/> steps are
/// left out: they fill pools and caches once.
/// </summary>
internal sealed class AllocationMeter
{
    public const int WarmUpSteps = 20;

    long _firstStep = -1, _lastStep = -1, _steps;
    long _threadAtStart, _threadAtLast, _processAtStart, _processAtLast, _linkAtStart, _linkAtLast, _timeAtStart, _timeAtLast;

    /// <summary>
    /// Called on the compute thread when a step's subtrees are sent. Its count covers everything the
    /// thread did since the last call: Akka's delivery of the actor's messages as well as the compute.
    /// </summary>
    /// <param name="linkBytes">what the link's threads had allocated so far (<see cref="Links.IWorkerLink.AllocatedBytes"/>)</param>
    public void StepSent(long step, long linkBytes)
    {
        if (_firstStep < 0) _firstStep = step;
        if (step == _lastStep || step < _firstStep + WarmUpSteps) return;
        long thread = GC.GetAllocatedBytesForCurrentThread();
        long process = GC.GetTotalAllocatedBytes(precise: true);
        long time = Stopwatch.GetTimestamp();
        if (_steps == 0) (_threadAtStart, _processAtStart, _linkAtStart, _timeAtStart) = (thread, process, linkBytes, time);
        (_threadAtLast, _processAtLast, _linkAtLast, _timeAtLast) = (thread, process, linkBytes, time);
        _lastStep = step;
        _steps++;
    }

    /// <summary>One log line for the steps measured, or null before any.</summary>
    public string? Report()
    {
        if (_steps < 2) return null;
        long measured = _steps - 1;
        double process = _processAtLast - _processAtStart;
        double seconds = Stopwatch.GetElapsedTime(_timeAtStart, _timeAtLast).TotalSeconds;
        return $"allocated_bytes_per_step={(_threadAtLast - _threadAtStart) / (double)measured:F0} on the compute thread, " +
               $"{(_linkAtLast - _linkAtStart) / (double)measured:F0} on the link thread, " +
               $"{process / measured:F0} in the process ({process / 1024 / Math.Max(seconds, 1e-9):F0} KB/s), over {measured} steps";
    }
}
