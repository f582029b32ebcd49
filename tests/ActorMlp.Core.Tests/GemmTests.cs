using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Tests;

// C is (m, n) with row stride ldc; op(A) is (m, k), op(B) is (k, n); A is stored (k, m) when transA, B is stored (n, k) when transB.
public class GemmTests
{
    private static readonly int[] OddSizes = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 65];

    // Every kernel this CPU can run, so the AVX2 and portable paths are checked on an AVX-512 machine too.
    private static readonly GemmKernelKind[] Kinds =
        Enum.GetValues<GemmKernelKind>().Where(GemmBlocking.IsSupported).ToArray();

    private sealed record Case(bool TransA, bool TransB, int M, int N, int K, int Lda, int Ldb, int Ldc,
        float[] A, float[] B, float[] C0, bool Accumulate)
    {
        public static Case Make(Random rng, bool transA, bool transB, int m, int n, int k, bool accumulate, int extraLd = 0)
        {
            int aRows = transA ? k : m, aCols = transA ? m : k;
            int bRows = transB ? n : k, bCols = transB ? k : n;
            int lda = aCols + extraLd, ldb = bCols + extraLd, ldc = n + extraLd;
            float[] a = Fill(rng, Math.Max(0, aRows * lda));
            float[] b = Fill(rng, Math.Max(0, bRows * ldb));
            // accumulate=false must ignore C entirely, NaN included.
            float[] c0 = accumulate ? Fill(rng, m * ldc) : Enumerable.Repeat(float.NaN, m * ldc).ToArray();
            // Padding past each row of C must survive untouched.
            for (int i = 0; i < m; i++)
                for (int j = n; j < ldc; j++) c0[i * ldc + j] = 12345f;
            return new Case(transA, transB, m, n, k, lda, ldb, ldc, a, b, c0, accumulate);
        }

        // Rows 0, rowStep, 2·rowStep, ... only: op(A)'s row i alone is a 1-row GEMM, so big shapes can be sampled.
        public float[] RunReference(int rowStep = 1)
        {
            float[] c = (float[])C0.Clone();
            for (int i = 0; i < M; i += rowStep)
                GemmReference.Multiply(TransA, TransB, 1, N, K, RowOfA(A, i), Lda, B, Ldb, c.AsSpan(i * Ldc), Ldc, Accumulate);
            return c;
        }

        private ReadOnlySpan<float> RowOfA(float[] a, int i) => K == 0 ? ReadOnlySpan<float>.Empty : a.AsSpan(TransA ? i : i * Lda);

        public float[] Run(GemmKernelKind kind)
        {
            float[] c = (float[])C0.Clone();
            Gemm.Multiply(kind, TransA, TransB, M, N, K, A, Lda, B, Ldb, c, Ldc, Accumulate);
            return c;
        }

        // Σ|a||b| (+|c0| when accumulating) per element: the scale that rounding error grows with.
        public float[] Magnitude(int rowStep = 1)
        {
            float[] absA = A.Select(Math.Abs).ToArray(), absB = B.Select(Math.Abs).ToArray();
            float[] mag = Accumulate ? C0.Select(Math.Abs).ToArray() : new float[C0.Length];
            for (int i = 0; i < M; i += rowStep)
                GemmReference.Multiply(TransA, TransB, 1, N, K, RowOfA(absA, i), Lda, absB, Ldb, mag.AsSpan(i * Ldc), Ldc, accumulate: true);
            return mag;
        }

        public void AssertClose(float[] expected, float[] actual, float[] magnitude, string label, int rowStep = 1)
        {
            for (int i = 0; i < M; i += rowStep)
            for (int j = 0; j < Ldc; j++)
            {
                int at = i * Ldc + j;
                if (j >= N)
                {
                    Assert.True(actual[at] == 12345f, $"{label}: padding C[{i},{j}] was overwritten");
                    continue;
                }
                float tolerance = 1e-4f * (1f + magnitude[at]);
                Assert.True(Math.Abs(expected[at] - actual[at]) <= tolerance,
                    $"{label}: C[{i},{j}] = {actual[at]}, reference {expected[at]}");
            }
        }

        public override string ToString() =>
            $"transA={TransA} transB={TransB} m={M} n={N} k={K} lda={Lda} ldb={Ldb} ldc={Ldc} accumulate={Accumulate}";
    }

    private static float[] Fill(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    private static void CheckAllKinds(Case c, int rowStep = 1)
    {
        float[] expected = c.RunReference(rowStep);
        float[] magnitude = c.Magnitude(rowStep);
        foreach (var kind in Kinds)
            c.AssertClose(expected, c.Run(kind), magnitude, $"{kind} {c}", rowStep);
    }

    [Fact]
    public void Gemm_matches_reference_for_odd_sizes_in_every_transpose_combination()
    {
        var rng = new Random(1);
        int index = 0;
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
        foreach (int m in OddSizes)
        foreach (int n in OddSizes)
        {
            // Every (m, n) pair, with k walking the same list so each combination meets several depths.
            int k = OddSizes[(m + 3 * n + index) % OddSizes.Length];
            int extraLd = index % 3 == 0 ? 0 : index % 5 + 1;
            CheckAllKinds(Case.Make(rng, transA, transB, m, n, k, accumulate: index % 2 == 0, extraLd));
            index++;
        }
    }

    [Fact]
    public void Gemm_matches_reference_for_every_depth_in_the_odd_size_list()
    {
        var rng = new Random(2);
        foreach (int k in OddSizes)
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
            CheckAllKinds(Case.Make(rng, transA, transB, 17, 33, k, accumulate: k % 2 == 1, extraLd: 3));
    }

    [Theory]
    [InlineData(70, 600, 300)]   // k split into two blocks, n many panels
    [InlineData(200, 40, 600)]   // m past one MC block, k in three blocks
    [InlineData(3, 4100, 5)]     // n past one NC block
    public void Gemm_matches_reference_beyond_one_cache_block(int m, int n, int k)
    {
        var rng = new Random(m + n + k);
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
            CheckAllKinds(Case.Make(rng, transA, transB, m, n, k, accumulate: transA, extraLd: transB ? 1 : 0));
    }

    [Theory]
    [InlineData(8)]
    [InlineData(128)]
    public void Gemm_matches_reference_for_the_dense_layer_shapes(int batch)
    {
        var rng = new Random(batch);
        int[] widths = [784, 256, 128, 10];
        // At batch 128 checking every 3rd row keeps the scalar reference fast and still meets every row position of a tile.
        int rowStep = batch >= 64 ? 3 : 1;
        for (int layer = 0; layer + 1 < widths.Length; layer++)
        {
            int input = widths[layer], output = widths[layer + 1];
            // forward Y = X·Wᵀ, weight gradient dW = δᵀ·X, input gradient dX = δ·W.
            CheckAllKinds(Case.Make(rng, false, true, batch, output, input, accumulate: false), rowStep);
            CheckAllKinds(Case.Make(rng, true, false, output, input, batch, accumulate: true), rowStep);
            CheckAllKinds(Case.Make(rng, false, false, batch, input, output, accumulate: false), rowStep);
        }
    }

    [Fact]
    public void Zero_depth_clears_C_unless_accumulating()
    {
        float[] c = [float.NaN, 5f, 7f, 9f];
        Gemm.Multiply(false, false, 2, 2, 0, ReadOnlySpan<float>.Empty, 0, ReadOnlySpan<float>.Empty, 2, c, 2, accumulate: false);
        Assert.Equal(new float[] { 0, 0, 0, 0 }, c);

        float[] kept = [1f, 2f, 3f, 4f];
        Gemm.Multiply(false, false, 2, 2, 0, ReadOnlySpan<float>.Empty, 0, ReadOnlySpan<float>.Empty, 2, kept, 2, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4 }, kept);
    }

    [Fact]
    public void Empty_C_leaves_every_span_untouched()
    {
        float[] c = [float.NaN];
        Gemm.Multiply(false, false, 0, 5, 3, ReadOnlySpan<float>.Empty, 3, new float[15], 5, Span<float>.Empty, 5, accumulate: false);
        Gemm.Multiply(false, false, 1, 0, 3, new float[3], 3, ReadOnlySpan<float>.Empty, 0, c, 0, accumulate: false);
        Assert.True(float.IsNaN(c[0]));
    }

    [Fact]
    public void Spans_too_short_for_their_shape_are_rejected()
    {
        Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 2, 2, 2, new float[3], 2, new float[4], 2, new float[4], 2, false));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(false, false, 2, 2, 2, new float[4], 1, new float[4], 2, new float[4], 2, false));
        Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(false, false, 2, 3, 2, new float[4], 2, new float[6], 3, new float[5], 3, false));
    }

    [Fact]
    public void Packed_B_gives_bitwise_the_same_result_as_the_plain_overload()
    {
        var rng = new Random(3);
        foreach (var kind in Kinds)
        {
            // One instance re-packed across shapes, as a layer would re-pack its weights each step.
            var packed = new PackedB(kind);
            foreach (var (m, n, k) in new[] { (8, 256, 784), (33, 17, 65), (1, 1, 1), (128, 10, 128), (5, 4100, 300), (9, 31, 0) })
            foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
            {
                var c = Case.Make(rng, transA, transB, m, n, k, accumulate: transA, extraLd: 2);
                packed.Pack(transB, k, n, c.B, c.Ldb);
                float[] viaPacked = (float[])c.C0.Clone();
                Gemm.Multiply(transA, m, c.A, c.Lda, packed, viaPacked, c.Ldc, c.Accumulate);
                Assert.Equal(Bits(c.Run(kind)), Bits(viaPacked));
            }
        }
    }

    [Fact]
    public void Repeated_calls_give_bitwise_identical_results()
    {
        var rng = new Random(4);
        var big = Case.Make(rng, false, true, 65, 600, 300, accumulate: false, extraLd: 1);
        var small = Case.Make(rng, true, false, 7, 9, 3, accumulate: true);
        foreach (var kind in Kinds)
        {
            int[] first = Bits(big.Run(kind));
            // A different shape in between reshapes the per-thread packing buffers.
            small.Run(kind);
            Assert.Equal(first, Bits(big.Run(kind)));
        }
    }

    [Fact]
    public void Every_fma_kernel_gives_bitwise_the_same_result()
    {
        // The AVX2, AVX-512 and narrow AVX-512 tiles differ only in shape, and the narrow products (n ≤ 16) read an
        // untransposed A in place; each element's k-sum is the same FMA chain.
        var fmaKinds = Kinds.Where(k => k != GemmKernelKind.Portable).ToArray();
        if (fmaKinds.Length == 0) return;
        var rng = new Random(6);
        foreach (var (m, n, k) in new[] { (9, 10, 300), (33, 16, 17), (20, 17, 65), (7, 70, 600), (37, 10, 600), (128, 10, 128) })
        foreach (bool transA in new[] { true, false })
        {
            var c = Case.Make(rng, transA, false, m, n, k, accumulate: transA, extraLd: 1);
            int[] first = Bits(c.Run(fmaKinds[0]));
            foreach (var kind in fmaKinds.Skip(1))
                Assert.Equal(first, Bits(c.Run(kind)));
        }
    }

    [Fact]
    public void Warm_calls_allocate_nothing()
    {
        var rng = new Random(5);
        var c = Case.Make(rng, false, false, 40, 300, 270, accumulate: false);
        float[] output = (float[])c.C0.Clone();
        var packed = new PackedB();
        packed.Pack(c.TransB, c.K, c.N, c.B, c.Ldb);

        void Both()
        {
            Gemm.Multiply(c.TransA, c.TransB, c.M, c.N, c.K, c.A, c.Lda, c.B, c.Ldb, output, c.Ldc, accumulate: false);
            Gemm.Multiply(c.TransA, c.M, c.A, c.Lda, packed, output, c.Ldc, accumulate: true);
            packed.Pack(c.TransB, c.K, c.N, c.B, c.Ldb);
        }

        Both();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Both();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static int[] Bits(float[] x) => x.Select(BitConverter.SingleToInt32Bits).ToArray();
}
