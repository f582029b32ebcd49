namespace ActorMlp.Cluster.Links;

/// <summary>
/// A copy of the weights of one step, shared by every send of that step and reused once the last
/// send has released it, so the optimizer can move on while slow connections are still writing.
/// </summary>
public sealed class WeightsSnapshot
{
    int _references;

    public float[] Values { get; }
    public long Step { get; private set; }

    WeightsSnapshot(int length) => Values = new float[length];

    public void Retain() => Interlocked.Increment(ref _references);

    public void Release() => Interlocked.Decrement(ref _references);

    bool Free => Volatile.Read(ref _references) == 0;

    /// <summary>A handful of snapshots: one per step in flight.</summary>
    public sealed class Pool(int length)
    {
        readonly List<WeightsSnapshot> _all = [];

        /// <summary>Copies <paramref name="weights"/> into a free snapshot; the caller holds one reference.</summary>
        public WeightsSnapshot Take(long step, ReadOnlySpan<float> weights)
        {
            var snapshot = _all.FirstOrDefault(s => s.Free);
            if (snapshot is null) _all.Add(snapshot = new WeightsSnapshot(length));
            weights.CopyTo(snapshot.Values);
            snapshot.Step = step;
            snapshot.Retain();
            return snapshot;
        }
    }
}
