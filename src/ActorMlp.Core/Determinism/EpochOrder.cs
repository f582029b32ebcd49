namespace ActorMlp.Core.Determinism;

/// <summary>
/// The order in which epoch e visits the training set: Fisher–Yates over the identity, driven by
/// SplitMix64 seeded with Derive(seed, EpochOrder, e). Any node can recompute it from (seed, e).
/// </summary>
internal static class EpochOrder
{
    public static void Fill(ulong seed, int epoch, Span<int> order)
    {
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Shuffle(new SplitMix64(SplitMix64.Derive(seed, SeedPurpose.EpochOrder, (ulong)epoch)), order);
    }

    /// <summary>Fisher–Yates from the last position down, j uniform in [0, i].</summary>
    public static void Shuffle(SplitMix64 rng, Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
