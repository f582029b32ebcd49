using ActorMlp.Cluster.Links;
using ActorMlp.Core.Determinism;

namespace ActorMlp.TestKit;

/// <summary>
/// A worker's real tensor link with the fault injector in front of it: every weights frame the worker
/// takes and every subtree frame it sends passes the rules due at its step and phase. Runs on the worker actor's thread.
/// </summary>
sealed class FaultyLink(IWorkerLink inner, WorkerNode node, FaultInjector faults) : IWorkerLink
{
    public void SendSubtree(long step, TreeNode node1, float[] value)
    {
        if (node.Partitioned) return;
        foreach (var rule in faults.Due(node.Id, step, FaultPhase.SubtreeSending))
        {
            switch (rule.Kind)
            {
                case FaultKind.Drop: return;
                case FaultKind.Corrupt: value = Corrupted(value); break;
                case FaultKind.Kill:
                    Kill();
                    throw new IOException($"{node.Id} was killed by the fault injector");
                default: Act(rule); break;
            }
        }
        if (node.Partitioned) return;
        inner.SendSubtree(step, node1, value);
    }

    public void SendTiming(long step, StepTiming timing)
    {
        if (!node.Partitioned) inner.SendTiming(step, timing);
    }

    public bool TryTakeWeights(out WeightsArrived weights)
    {
        while (inner.TryTakeWeights(out weights))
        {
            bool dropped = node.Partitioned;
            foreach (var rule in dropped ? [] : faults.Due(node.Id, weights.Step, FaultPhase.WeightsArrived))
            {
                switch (rule.Kind)
                {
                    case FaultKind.Drop: dropped = true; break;
                    case FaultKind.Corrupt: CorruptInPlace(weights.Weights); break;
                    case FaultKind.Kill:
                        inner.ReturnWeights(weights.Weights);
                        Kill();
                        weights = default;
                        return false;
                    default: Act(rule); break;
                }
            }
            if (!dropped && !node.Partitioned) return true;
            inner.ReturnWeights(weights.Weights);
        }
        return false;
    }

    public void ReturnWeights(float[] buffer) => inner.ReturnWeights(buffer);

    public long AllocatedBytes => inner.AllocatedBytes;

    public void Dispose() => inner.Dispose();

    void Kill()
    {
        inner.Dispose();
        node.Crash();
    }

    void Act(FaultRule rule)
    {
        switch (rule.Kind)
        {
            case FaultKind.Pause or FaultKind.Delay: Thread.Sleep(rule.Duration); break; // the fault itself: this thread is what stalls
            case FaultKind.Partition: node.Partition(); break;
            case FaultKind.Action: rule.Then?.Invoke(); break;
        }
    }

    // The caller may reuse its buffer: the corrupted value goes out in a copy.
    static float[] Corrupted(float[] value)
    {
        var copy = (float[])value.Clone();
        CorruptInPlace(copy);
        return copy;
    }

    // The top mantissa bit of every value: an error no rounding downstream can absorb.
    static void CorruptInPlace(float[] value)
    {
        for (int i = 0; i < value.Length; i++) value[i] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(value[i]) ^ (1 << 22));
    }
}
