namespace ActorMlp.Core.Tensors;

/// <summary>Single-precision GEMM for the three shapes of a dense layer.</summary>
public static class Gemm
{
    // C is (m, n) with row stride ldc; op(A) is (m, k), op(B) is (k, n); see GemmReference.
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
        => GemmReference.Multiply(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
}
