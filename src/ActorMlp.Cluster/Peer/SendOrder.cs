using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;

namespace ActorMlp.Cluster.Peer;

/// <summary>
/// The order in which a peer worker computes its first layer's weight-gradient rows, so that each slice
/// can leave for its owner while the rest of the node is still being computed. Backpropagation finishes
/// everything outside those weights first; then the rows of the slices owned by the next members (in
/// ring order from this one) are computed in that order, and this member's own rows last, since its
/// own slice needs no wire. A pure function of the layer, the slices and the member's place, so every
/// replica of a view agrees and it is tested without actors.
/// </summary>
internal static class SendOrder
{
    /// <summary>
    /// Parts: row ranges of the first layer's outputs, covering them once, the first one empty (everything
    /// outside the layer's weights). SlicesAfterPart[i]: the slices that are final once part i is done.
    /// </summary>
    public static (RowRange[] Parts, int[][] SlicesAfterPart) Plan(ParameterLayout.Dense first, SlicePlan slices, int own)
    {
        if ((uint)own >= (uint)slices.Count) throw new ArgumentOutOfRangeException(nameof(own), $"member {own} of {slices.Count}");
        var parts = new List<RowRange> { new(0, 0) };
        var after = new List<List<int>> { new() };
        var done = new bool[first.Rows];
        for (int k = 1; k <= slices.Count; k++)
        {
            int j = (own + k) % slices.Count;
            var (r0, r1) = RowsOf(first, slices.Start(j), slices.Start(j) + slices.SliceLength(j));
            if (r0 == r1)
            {
                after[0].Add(j);
                continue;
            }
            // A slice shares at most its end rows with its neighbours, so what is left is one run.
            while (r0 < r1 && done[r0]) r0++;
            while (r1 > r0 && done[r1 - 1]) r1--;
            if (r1 > r0)
            {
                for (int r = r0; r < r1; r++) done[r] = true;
                parts.Add(new RowRange(r0, r1));
                after.Add([]);
            }
            after[^1].Add(j);
        }
        return (parts.ToArray(), after.Select(a => a.ToArray()).ToArray());
    }

    // Rows of the layer's weights that parameters [start, end) touch; none when they miss the weights.
    static (int First, int End) RowsOf(ParameterLayout.Dense layer, int start, int end)
    {
        int w0 = layer.WeightOffset, w1 = layer.WeightOffset + layer.WeightCount;
        int a = Math.Max(start, w0), b = Math.Min(end, w1);
        if (a >= b) return (0, 0);
        return ((a - w0) / layer.Inputs, (b - w0 + layer.Inputs - 1) / layer.Inputs);
    }
}
