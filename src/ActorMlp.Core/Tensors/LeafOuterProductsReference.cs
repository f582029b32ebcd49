using ActorMlp.Core.Determinism;

namespace ActorMlp.Core.Tensors;

// δ is (rows, outs), x is (rows, ins), dW is (outs, ins); leaf j is rows [bounds[j], bounds[j+1]), a power of two of leaves.
/// <summary>
/// The definition <see cref="LeafOuterProducts"/> is tested against, written the plain way: each
/// element of a leaf's δᵀ·x is one multiply-add chain (fused where the CPU fuses, see Fused) from zero over the leaf's rows in order,
/// and a tree node is left + right, recursively.
/// </summary>
internal static class LeafOuterProductsReference
{
    public static void Compute(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW)
        => Compute(delta, outs, x, ins, bounds, dW, 0, outs, 0, ins);

    /// <summary>Only rows [i0, i1) and columns [j0, j1) of dW; the fast kernel hands its edges here.</summary>
    public static void Compute(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds,
        Span<float> dW, int i0, int i1, int j0, int j1, GradientPrecision precision = GradientPrecision.Float32)
    {
        int leaves = bounds.Length - 1;
        bool bf16 = precision == GradientPrecision.BFloat16;
        for (int i = i0; i < i1; i++)
            for (int j = j0; j < j1; j++)
                dW[i * ins + j] = Node(delta, outs, x, ins, bounds, i, j, 0, leaves, bf16);
    }

    /// <summary>Every node held in <paramref name="precision"/>: in bfloat16 each leaf and each sum rounded as it is formed.</summary>
    public static void Compute(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW, GradientPrecision precision)
        => Compute(delta, outs, x, ins, bounds, dW, 0, outs, 0, ins, precision);

    static float Node(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, int i, int j, int first, int count, bool bf16)
    {
        float value;
        if (count > 1)
        {
            float left = Node(delta, outs, x, ins, bounds, i, j, first, count / 2, bf16);
            float right = Node(delta, outs, x, ins, bounds, i, j, first + count / 2, count / 2, bf16);
            value = left + right;
        }
        else
        {
            value = 0;
            for (int r = bounds[first]; r < bounds[first + 1]; r++) value = ActorMlp.Core.Numerics.Fused.MulAdd(delta[r * outs + i], x[r * ins + j], value);
        }
        return bf16 ? BFloat16.Round(value) : value;
    }
}
