using System.Runtime.CompilerServices;

namespace ActorMlp.Core.Tensors;

// C is (m, n) with row stride ldc; op(A) is (m, k), op(B) is (k, n); A is stored (k, m) when transA, B is stored (n, k) when transB.
/// <summary>
/// Single-threaded, deterministic SGEMM in the BLIS style: op(B) is packed in (KC, NC) blocks, op(A)
/// in (MC, KC) blocks, and a register-blocked micro-kernel multiplies one (MR, KC) sliver by one
/// (KC, NR) sliver at a time. Each C element's k-sum is split into blocks chosen from k alone and
/// summed in ascending order, so results depend only on (shape, inputs, CPU kind), never on timing.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>C = op(A)·op(B), or C += op(A)·op(B) when <paramref name="accumulate"/>; with accumulate off C's old contents are never read.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
        => Multiply(GemmBlocking.BestKind, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);

    /// <summary>
    /// C = op(A)·B, or C += op(A)·B, with B packed ahead of time; bitwise equal to the plain overload
    /// for the same operands. Use it when one B meets many A blocks, so B is packed once, not per call.
    /// </summary>
    public static void Multiply(bool transA, int m, ReadOnlySpan<float> a, int lda, PackedB b,
        Span<float> c, int ldc, bool accumulate)
    {
        ArgumentNullException.ThrowIfNull(b);
        int n = b.N, k = b.K;
        Validate(transA, false, m, n, k, a, lda, ReadOnlySpan<float>.Empty, 0, c, ldc, checkB: false);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) Clear(m, n, c, ldc);
            return;
        }

        fixed (float* pa = a)
        fixed (float* pc = c)
            Dispatch(b.Kind, transA, false, m, n, k, pa, lda, null, 0, b, pc, ldc, accumulate);
    }

    /// <summary>The plain overload on a chosen kernel, so tests can check every kernel this CPU can run.</summary>
    internal static void Multiply(GemmKernelKind kind, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc, bool accumulate)
    {
        Validate(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, checkB: true);
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) Clear(m, n, c, ldc);
            return;
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
            Dispatch(kind, transA, transB, m, n, k, pa, lda, pb, ldb, null, pc, ldc, accumulate);
    }

    private static void Dispatch(GemmKernelKind kind, bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, PackedB? packed, float* c, int ldc, bool accumulate)
    {
        if (!GemmBlocking.IsSupported(kind))
            throw new PlatformNotSupportedException($"this CPU cannot run the {kind} GEMM kernel; its vectors would be emulated in software");
        GemmBlocking blocking = GemmBlocking.For(kind, n);
        switch (kind)
        {
            case GemmKernelKind.Avx512 when blocking.Narrow:
                Run<GemmKernelAvx512Narrow>(blocking, transA, transB, m, n, k, a, lda, b, ldb, packed, c, ldc, accumulate);
                break;
            case GemmKernelKind.Avx512:
                Run<GemmKernelAvx512>(blocking, transA, transB, m, n, k, a, lda, b, ldb, packed, c, ldc, accumulate);
                break;
            case GemmKernelKind.Avx2:
                Run<GemmKernelAvx2>(blocking, transA, transB, m, n, k, a, lda, b, ldb, packed, c, ldc, accumulate);
                break;
            case GemmKernelKind.Vector128:
                Run<GemmKernelVector128>(blocking, transA, transB, m, n, k, a, lda, b, ldb, packed, c, ldc, accumulate);
                break;
            default:
                Run<GemmKernelPortable>(blocking, transA, transB, m, n, k, a, lda, b, ldb, packed, c, ldc, accumulate);
                break;
        }
    }

    // Generic over a struct kernel so the JIT compiles one loop nest per kernel with a direct call.
    // SkipLocalsInit: the edge tile is scratch the kernel writes before reading, so zeroing it is wasted work.
    [SkipLocalsInit]
    private static void Run<TKernel>(in GemmBlocking blk, bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, PackedB? packed, float* c, int ldc, bool accumulate)
        where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int kcStep = blk.KcStep(k);
        int ncMax = Math.Min(blk.NC, blk.PaddedN(n));
        int mcMax = Math.Min(blk.MC, (m + mr - 1) / mr * mr);

        // 8 floats of slack: the 6-row transpose's last store runs 2 floats past its panel.
        float* packedA = GemmScratch.A(mcMax * kcStep + 8);
        float* packedBScratch = packed is null ? GemmScratch.B(ncMax * kcStep) : null;
        float* packedBAll = packed is null ? null : packed.Pointer;
        int paddedN = blk.PaddedN(n);
        // On 64-byte lines, so the kernel's vector stores to an edge tile never split a line.
        float* unaligned = stackalloc float[mr * nr + 16];
        float* tile = (float*)(((nint)unaligned + 63) & ~(nint)63);

        for (int jc = 0; jc < n; jc += blk.NC)
        {
            int nc = Math.Min(blk.NC, n - jc);
            for (int pc = 0; pc < k; pc += kcStep)
            {
                int kc = Math.Min(kcStep, k - pc);
                float* pb;
                if (packed is null)
                {
                    GemmPacking.PackB(transB, b, ldb, jc, nc, pc, kc, nr, packedBScratch, blk.Wide);
                    pb = packedBScratch;
                }
                else
                {
                    // PackedB keeps every k block whole across n, panel after panel, so block (pc, jc) is one contiguous run.
                    pb = packedBAll + (nint)pc * paddedN + (nint)jc * kc;
                }

                // Only the first k block may overwrite; later blocks add onto what it wrote.
                bool overwrite = !accumulate && pc == 0;
                for (int ic = 0; ic < m; ic += blk.MC)
                {
                    int mc = Math.Min(blk.MC, m - ic);
                    if (blk.Narrow && !transA && typeof(TKernel) == typeof(GemmKernelAvx512Narrow))
                    {
                        // Narrow products read A in place: packing it would cost as much as the arithmetic.
                        for (int ir = 0; ir < mc; ir += mr)
                            GemmKernelAvx512Narrow.RunUnpackedA(kc, a + (nint)(ic + ir) * lda + pc, lda, pb, c + (nint)(ic + ir) * ldc + jc, ldc,
                                Math.Min(mr, mc - ir), Math.Min(nr, nc), overwrite, tile);
                        continue;
                    }
                    if (blk.Narrow && !transA && typeof(TKernel) == typeof(GemmKernelAvx2))
                    {
                        for (int ir = 0; ir < mc; ir += mr)
                            GemmKernelAvx2.RunUnpackedA(kc, a + (nint)(ic + ir) * lda + pc, lda, pb, c + (nint)(ic + ir) * ldc + jc, ldc,
                                Math.Min(mr, mc - ir), Math.Min(nr, nc), overwrite, tile);
                        continue;
                    }
                    GemmPacking.PackA(transA, a, lda, ic, mc, pc, kc, mr, packedA, blk.Wide);
                    float* cBlock = c + (nint)ic * ldc + jc;
                    // A micro-panel (MR, kc) stays in L1 while the B block streams from L2 beneath it,
                    // and C is walked a row of tiles at a time.
                    for (int ir = 0; ir < mc; ir += mr)
                    {
                        int nrows = Math.Min(mr, mc - ir);
                        float* paPanel = packedA + (nint)ir * kc;
                        for (int jr = 0; jr < nc; jr += nr)
                        {
                            int ncols = Math.Min(nr, nc - jr);
                            TKernel.Run(kc, paPanel, pb + (nint)jr * kc, cBlock + (nint)ir * ldc + jr, ldc,
                                nrows, ncols, overwrite, tile);
                        }
                    }
                }
            }
        }
    }

    private static void Clear(int m, int n, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
    }

    internal static void Validate(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool checkB)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckOperand(a.Length, transA ? k : m, transA ? m : k, lda, nameof(a));
        if (checkB) CheckOperand(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b));
        CheckOperand(c.Length, m, n, ldc, nameof(c));
    }

    // The kernel reads through raw pointers, so every (rows, cols, ld) must fit its span before any is touched.
    internal static void CheckOperand(int length, int rows, int cols, int ld, string name)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols)
            throw new ArgumentOutOfRangeException(name, $"Leading dimension {ld} is smaller than the row width {cols}.");
        if ((long)(rows - 1) * ld + cols > length)
            throw new ArgumentException($"Span of {length} floats is too short for ({rows}, {cols}) with stride {ld}.", name);
    }
}
