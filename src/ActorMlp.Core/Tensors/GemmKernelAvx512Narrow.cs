using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ActorMlp.Core.Tensors;

// Packed A micro-panel is (kc, MR), packed B micro-panel is (kc, NR), the C tile is (MR, NR) with row stride ldc.
// For op(B) at most 16 wide (a 10-class output layer): one zmm per row wastes 6 of 16 lanes on n = 10, where the 32-wide kernel wastes 22 of 32.
// 16 rows give 16 independent FMA chains, enough to hide the FMA latency on both ports with one B load per 16 FMAs.
internal unsafe struct GemmKernelAvx512Narrow : IGemmMicroKernel
{
    public static int MR => MR_;
    public static int NR => NR_;
    private const int MR_ = 16;
    private const int NR_ = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* pa, float* pb, float* c, int ldc, int mr, int nr, bool overwrite, float* tile)
    {
        Vector512<float> c0 = default;
        Vector512<float> c1 = default;
        Vector512<float> c2 = default;
        Vector512<float> c3 = default;
        Vector512<float> c4 = default;
        Vector512<float> c5 = default;
        Vector512<float> c6 = default;
        Vector512<float> c7 = default;
        Vector512<float> c8 = default;
        Vector512<float> c9 = default;
        Vector512<float> c10 = default;
        Vector512<float> c11 = default;
        Vector512<float> c12 = default;
        Vector512<float> c13 = default;
        Vector512<float> c14 = default;
        Vector512<float> c15 = default;
        Vector512<float> a;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(pb);
            a = Vector512.Create(pa[0]);
            c0 = Avx512F.FusedMultiplyAdd(a, b0, c0);
            a = Vector512.Create(pa[1]);
            c1 = Avx512F.FusedMultiplyAdd(a, b0, c1);
            a = Vector512.Create(pa[2]);
            c2 = Avx512F.FusedMultiplyAdd(a, b0, c2);
            a = Vector512.Create(pa[3]);
            c3 = Avx512F.FusedMultiplyAdd(a, b0, c3);
            a = Vector512.Create(pa[4]);
            c4 = Avx512F.FusedMultiplyAdd(a, b0, c4);
            a = Vector512.Create(pa[5]);
            c5 = Avx512F.FusedMultiplyAdd(a, b0, c5);
            a = Vector512.Create(pa[6]);
            c6 = Avx512F.FusedMultiplyAdd(a, b0, c6);
            a = Vector512.Create(pa[7]);
            c7 = Avx512F.FusedMultiplyAdd(a, b0, c7);
            a = Vector512.Create(pa[8]);
            c8 = Avx512F.FusedMultiplyAdd(a, b0, c8);
            a = Vector512.Create(pa[9]);
            c9 = Avx512F.FusedMultiplyAdd(a, b0, c9);
            a = Vector512.Create(pa[10]);
            c10 = Avx512F.FusedMultiplyAdd(a, b0, c10);
            a = Vector512.Create(pa[11]);
            c11 = Avx512F.FusedMultiplyAdd(a, b0, c11);
            a = Vector512.Create(pa[12]);
            c12 = Avx512F.FusedMultiplyAdd(a, b0, c12);
            a = Vector512.Create(pa[13]);
            c13 = Avx512F.FusedMultiplyAdd(a, b0, c13);
            a = Vector512.Create(pa[14]);
            c14 = Avx512F.FusedMultiplyAdd(a, b0, c14);
            a = Vector512.Create(pa[15]);
            c15 = Avx512F.FusedMultiplyAdd(a, b0, c15);
            pa += MR_;
            pb += NR_;
        }

        Finish(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c, ldc, mr, nr, overwrite, tile);
    }

    /// <summary>
    /// The same tile with A read in place, rows of A (row stride lda) instead of a packed panel: for
    /// products this narrow, packing A costs about as much as the arithmetic. Each element is the same
    /// FMA chain over p as in <see cref="Run"/>, so the bits are the same. Rows past mr read row 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunUnpackedA(int kc, float* a, int lda, float* pb, float* c, int ldc, int mr, int nr, bool overwrite, float* tile)
    {
        int last = mr - 1;
        float* a0 = a + (nint)Math.Min(0, last) * lda;
        float* a1 = a + (nint)Math.Min(1, last) * lda;
        float* a2 = a + (nint)Math.Min(2, last) * lda;
        float* a3 = a + (nint)Math.Min(3, last) * lda;
        float* a4 = a + (nint)Math.Min(4, last) * lda;
        float* a5 = a + (nint)Math.Min(5, last) * lda;
        float* a6 = a + (nint)Math.Min(6, last) * lda;
        float* a7 = a + (nint)Math.Min(7, last) * lda;
        float* a8 = a + (nint)Math.Min(8, last) * lda;
        float* a9 = a + (nint)Math.Min(9, last) * lda;
        float* a10 = a + (nint)Math.Min(10, last) * lda;
        float* a11 = a + (nint)Math.Min(11, last) * lda;
        float* a12 = a + (nint)Math.Min(12, last) * lda;
        float* a13 = a + (nint)Math.Min(13, last) * lda;
        float* a14 = a + (nint)Math.Min(14, last) * lda;
        float* a15 = a + (nint)Math.Min(15, last) * lda;
        Vector512<float> c0 = default;
        Vector512<float> c1 = default;
        Vector512<float> c2 = default;
        Vector512<float> c3 = default;
        Vector512<float> c4 = default;
        Vector512<float> c5 = default;
        Vector512<float> c6 = default;
        Vector512<float> c7 = default;
        Vector512<float> c8 = default;
        Vector512<float> c9 = default;
        Vector512<float> c10 = default;
        Vector512<float> c11 = default;
        Vector512<float> c12 = default;
        Vector512<float> c13 = default;
        Vector512<float> c14 = default;
        Vector512<float> c15 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(pb);
            c0 = Avx512F.FusedMultiplyAdd(Vector512.Create(a0[p]), b0, c0);
            c1 = Avx512F.FusedMultiplyAdd(Vector512.Create(a1[p]), b0, c1);
            c2 = Avx512F.FusedMultiplyAdd(Vector512.Create(a2[p]), b0, c2);
            c3 = Avx512F.FusedMultiplyAdd(Vector512.Create(a3[p]), b0, c3);
            c4 = Avx512F.FusedMultiplyAdd(Vector512.Create(a4[p]), b0, c4);
            c5 = Avx512F.FusedMultiplyAdd(Vector512.Create(a5[p]), b0, c5);
            c6 = Avx512F.FusedMultiplyAdd(Vector512.Create(a6[p]), b0, c6);
            c7 = Avx512F.FusedMultiplyAdd(Vector512.Create(a7[p]), b0, c7);
            c8 = Avx512F.FusedMultiplyAdd(Vector512.Create(a8[p]), b0, c8);
            c9 = Avx512F.FusedMultiplyAdd(Vector512.Create(a9[p]), b0, c9);
            c10 = Avx512F.FusedMultiplyAdd(Vector512.Create(a10[p]), b0, c10);
            c11 = Avx512F.FusedMultiplyAdd(Vector512.Create(a11[p]), b0, c11);
            c12 = Avx512F.FusedMultiplyAdd(Vector512.Create(a12[p]), b0, c12);
            c13 = Avx512F.FusedMultiplyAdd(Vector512.Create(a13[p]), b0, c13);
            c14 = Avx512F.FusedMultiplyAdd(Vector512.Create(a14[p]), b0, c14);
            c15 = Avx512F.FusedMultiplyAdd(Vector512.Create(a15[p]), b0, c15);
            pb += NR_;
        }

        Finish(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c, ldc, mr, nr, overwrite, tile);
    }

    // Writes the summed tile: straight into C when it is whole, else through the edge tile.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector512<float> c0, Vector512<float> c1, Vector512<float> c2, Vector512<float> c3,
        Vector512<float> c4, Vector512<float> c5, Vector512<float> c6, Vector512<float> c7,
        Vector512<float> c8, Vector512<float> c9, Vector512<float> c10, Vector512<float> c11,
        Vector512<float> c12, Vector512<float> c13, Vector512<float> c14, Vector512<float> c15,
        float* c, int ldc, int mr, int nr, bool overwrite, float* tile)
    {
        if (mr == MR_ && nr == NR_)
        {
            if (overwrite)
            {
                c0.Store(c + 0 * ldc);
                c1.Store(c + 1 * ldc);
                c2.Store(c + 2 * ldc);
                c3.Store(c + 3 * ldc);
                c4.Store(c + 4 * ldc);
                c5.Store(c + 5 * ldc);
                c6.Store(c + 6 * ldc);
                c7.Store(c + 7 * ldc);
                c8.Store(c + 8 * ldc);
                c9.Store(c + 9 * ldc);
                c10.Store(c + 10 * ldc);
                c11.Store(c + 11 * ldc);
                c12.Store(c + 12 * ldc);
                c13.Store(c + 13 * ldc);
                c14.Store(c + 14 * ldc);
                c15.Store(c + 15 * ldc);
            }
            else
            {
                (Vector512.Load(c + 0 * ldc) + c0).Store(c + 0 * ldc);
                (Vector512.Load(c + 1 * ldc) + c1).Store(c + 1 * ldc);
                (Vector512.Load(c + 2 * ldc) + c2).Store(c + 2 * ldc);
                (Vector512.Load(c + 3 * ldc) + c3).Store(c + 3 * ldc);
                (Vector512.Load(c + 4 * ldc) + c4).Store(c + 4 * ldc);
                (Vector512.Load(c + 5 * ldc) + c5).Store(c + 5 * ldc);
                (Vector512.Load(c + 6 * ldc) + c6).Store(c + 6 * ldc);
                (Vector512.Load(c + 7 * ldc) + c7).Store(c + 7 * ldc);
                (Vector512.Load(c + 8 * ldc) + c8).Store(c + 8 * ldc);
                (Vector512.Load(c + 9 * ldc) + c9).Store(c + 9 * ldc);
                (Vector512.Load(c + 10 * ldc) + c10).Store(c + 10 * ldc);
                (Vector512.Load(c + 11 * ldc) + c11).Store(c + 11 * ldc);
                (Vector512.Load(c + 12 * ldc) + c12).Store(c + 12 * ldc);
                (Vector512.Load(c + 13 * ldc) + c13).Store(c + 13 * ldc);
                (Vector512.Load(c + 14 * ldc) + c14).Store(c + 14 * ldc);
                (Vector512.Load(c + 15 * ldc) + c15).Store(c + 15 * ldc);
            }
            return;
        }

        c0.Store(tile + 0);
        c1.Store(tile + 16);
        c2.Store(tile + 32);
        c3.Store(tile + 48);
        c4.Store(tile + 64);
        c5.Store(tile + 80);
        c6.Store(tile + 96);
        c7.Store(tile + 112);
        c8.Store(tile + 128);
        c9.Store(tile + 144);
        c10.Store(tile + 160);
        c11.Store(tile + 176);
        c12.Store(tile + 192);
        c13.Store(tile + 208);
        c14.Store(tile + 224);
        c15.Store(tile + 240);
        GemmTile.Store(tile, NR_, c, ldc, mr, nr, overwrite);
    }
}
