namespace ActorMlp.Cluster.Actors;

/// <summary>Splits a run of leaves into contiguous ranges proportional to weights (the workers' cores).</summary>
internal static class LeafRanges
{
    // weights is (k); returns k ranges [start_i, end_i) tiling [start, end) in order, some possibly empty
    public static (int Start, int End)[] Split(int start, int end, IReadOnlyList<int> weights)
    {
        long total = weights.Sum(w => (long)Math.Max(1, w));
        var ranges = new (int, int)[weights.Count];
        long cumulative = 0;
        int previous = start;
        for (int i = 0; i < weights.Count; i++)
        {
            cumulative += Math.Max(1, weights[i]);
            int boundary = start + (int)Math.Round((double)(end - start) * cumulative / total, MidpointRounding.AwayFromZero);
            ranges[i] = (previous, boundary);
            previous = boundary;
        }
        return ranges;
    }
}
