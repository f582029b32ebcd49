namespace ActorMlp.Cluster.Links;

/// <summary>
/// A copy of the weights of one step, shared by every send of that step and reused once the last
/// send has released it, so the optimizer can move on while slow connections are still writing.
/// </summary>
internal sealed class WeightsSnapshot
{
    int _references;

    public float[] Values { get; }
    /// <summary>The same values as bfloat16, when the link sends that precision; otherwise null.</summary>
    public ushort[]? Half { get; }
    public long Step { get; private set; }

    WeightsSnapshot(int length, bool half)
    {
        Values = new float[length];
        if (half) Half = new ushort[length];
    }

    public void Retain() => Interlocked.Increment(ref _references);

    public void Release() => Interlocked.Decrement(ref _references);

    bool Free => Volatile.Read(ref _references) == 0;

    /// <summary>A handful of snapshots: one per step in flight.</summary>
    public sealed class Pool(int length, bool half = false)
    {
        readonly List<WeightsSnapshot> _all = [];

        /// <summary>Copies <paramref name="weights"/> into a free snapshot; the caller holds one reference.</summary>
        public WeightsSnapshot Take(long step, ReadOnlySpan<float> weights)
        {
            var snapshot = Rent();
            weights.CopyTo(snapshot.Values);
            return Seal(snapshot, step);
        }

        /// <summary>A free snapshot whose Values the caller fills (the optimizer, in its pass), then hands to <see cref="Seal"/>.</summary>
        public WeightsSnapshot Rent()
        {
            var snapshot = _all.FirstOrDefault(s => s.Free);
            if (snapshot is null) _all.Add(snapshot = new WeightsSnapshot(length, half));
            snapshot.Retain();
            return snapshot;
        }

        /// <summary>Marks a rented snapshot as the weights of <paramref name="step"/>, narrowing them when the link sends bfloat16.</summary>
        public WeightsSnapshot Seal(WeightsSnapshot snapshot, long step)
        {
            if (snapshot.Half is { } h) Core.Tensors.BFloat16.Narrow(snapshot.Values, h);
            snapshot.Step = step;
            return snapshot;
        }
    }
}
