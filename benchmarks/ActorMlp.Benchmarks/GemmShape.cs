namespace ActorMlp.Benchmarks;

/// <summary>
/// One product C(m, n) = op(A)(m, k)·op(B)(k, n) as Gemm.Multiply is called for it, with a name
/// saying which dense-layer product it is, so a results table reads as "layer 2 backward" rather
/// than as bare dimensions.
/// </summary>
public sealed record GemmShape(string Name, bool TransA, bool TransB, int M, int N, int K)
{
    public double Flops => 2.0 * M * N * K;

    // Row-major storage: A is (m, k) or (k, m) when transposed, B is (k, n) or (n, k).
    public int Lda => TransA ? M : K;
    public int Ldb => TransB ? K : N;

    /// <summary>
    /// The products of one training step at <paramref name="batch"/> rows through dense layers of the
    /// given sizes: z = x·Wᵀ forward; dW = δᵀ·x and dX = δ·W backward. The first layer has no dX:
    /// training never propagates into the input, so timing it would describe work that is not done.
    /// </summary>
    public static IEnumerable<GemmShape> DenseLayer(int[] layers, int batch)
    {
        for (int l = 0; l + 1 < layers.Length; l++)
        {
            int inputs = layers[l], outputs = layers[l + 1];
            string layer = $"L{l + 1}";
            yield return new GemmShape($"{layer} fwd x·Wt", false, true, batch, outputs, inputs);
            yield return new GemmShape($"{layer} dW dt·x", true, false, outputs, inputs, batch);
            if (l > 0) yield return new GemmShape($"{layer} dX d·W", false, false, batch, inputs, outputs);
        }
    }

    public static GemmShape Square(int n) => new("square", false, false, n, n, n);

    // BenchmarkDotNet prints a parameter by ToString: which product, then m×n×k.
    public override string ToString() => $"{Name} {M}x{N}x{K}";
}
