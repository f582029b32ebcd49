namespace ActorMlp.Core.Tensors;

/// <summary>
/// The plain triple-loop GEMM that the fast kernel is tested against. It sums over k in
/// ascending order with one multiply and one add per term, so it is slow but obviously right.
/// </summary>
internal static class GemmReference
{
    // C is (m, n) with row stride ldc; op(A) is (m, k), op(B) is (k, n).
    // transA: A is stored (k, m) with row stride lda; otherwise (m, k). Likewise transB: (n, k) or (k, n).
    // accumulate: C += op(A)·op(B); otherwise C = op(A)·op(B).
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
    {
        for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++)
        {
            float sum = 0f;
            for (int p = 0; p < k; p++)
            {
                float av = transA ? a[p * lda + i] : a[i * lda + p];
                float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                sum += av * bv;
            }
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + sum : sum;
        }
    }
}
