namespace ActorMlp.Core.Tensors;

// δ is (rows, outs), x is (rows, ins), dW is (outs, ins); leaf j is rows [bounds[j], bounds[j+1]), a power of two of leaves.
/// <summary>
/// The definition <see cref="LeafOuterProducts"/> is tested against, written the plain way: each
/// element of a leaf's δᵀ·x is one multiply-add chain (fused where the CPU fuses, see Fused) from zero over the leaf's rows in order,
/// and a tree node is left + right, recursively.
/// </summary>
public static class LeafOuterProductsReference
{
    public static void Compute(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW)
        => Compute(delta, outs, x, ins, bounds, dW, 0, outs, 0, ins);

    /// <summary>Only rows [i0, i1) and columns [j0, j1) of dW; the fast kernel hands its edges here.</summary>
    public static void Compute(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds,
        Span<float> dW, int i0, int i1, int j0, int j1)
    {
        int leaves = bounds.Length - 1;
        for (int i = i0; i < i1; i++)
            for (int j = j0; j < j1; j++)
                dW[i * ins + j] = Node(delta, outs, x, ins, bounds, i, j, 0, leaves);
    }

    static float Node(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, int i, int j, int first, int count)
    {
        if (count > 1)
        {
            float left = Node(delta, outs, x, ins, bounds, i, j, first, count / 2);
            float right = Node(delta, outs, x, ins, bounds, i, j, first + count / 2, count / 2);
            return left + right;
        }
        float sum = 0;
        for (int r = bounds[first]; r < bounds[first + 1]; r++) sum = ActorMlp.Core.Numerics.Fused.MulAdd(delta[r * outs + i], x[r * ins + j], sum);
        return sum;
    }
}
