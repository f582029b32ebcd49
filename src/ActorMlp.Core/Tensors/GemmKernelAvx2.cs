using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ActorMlp.Core.Tensors;

// Packed A micro-panel is (kc, MR), packed B micro-panel is (kc, NR), the C tile is (MR, NR) with row stride ldc.
// 6 rows x 16 columns uses 12 of the 16 ymm registers for accumulators, leaving two for B and one for the A broadcast.
internal unsafe struct GemmKernelAvx2 : IGemmMicroKernel
{
    public static int MR => MR_;
    public static int NR => NR_;
    private const int MR_ = 6;
    private const int NR_ = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* pa, float* pb, float* c, int ldc, int mr, int nr, bool overwrite, float* tile)
    {
        Vector256<float> c00 = default; Vector256<float> c01 = default;
        Vector256<float> c10 = default; Vector256<float> c11 = default;
        Vector256<float> c20 = default; Vector256<float> c21 = default;
        Vector256<float> c30 = default; Vector256<float> c31 = default;
        Vector256<float> c40 = default; Vector256<float> c41 = default;
        Vector256<float> c50 = default; Vector256<float> c51 = default;
        Vector256<float> a;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(pb + 0);
            Vector256<float> b1 = Vector256.Load(pb + 8);
            a = Vector256.Create(pa[0]);
            c00 = Fma.MultiplyAdd(a, b0, c00); c01 = Fma.MultiplyAdd(a, b1, c01);
            a = Vector256.Create(pa[1]);
            c10 = Fma.MultiplyAdd(a, b0, c10); c11 = Fma.MultiplyAdd(a, b1, c11);
            a = Vector256.Create(pa[2]);
            c20 = Fma.MultiplyAdd(a, b0, c20); c21 = Fma.MultiplyAdd(a, b1, c21);
            a = Vector256.Create(pa[3]);
            c30 = Fma.MultiplyAdd(a, b0, c30); c31 = Fma.MultiplyAdd(a, b1, c31);
            a = Vector256.Create(pa[4]);
            c40 = Fma.MultiplyAdd(a, b0, c40); c41 = Fma.MultiplyAdd(a, b1, c41);
            a = Vector256.Create(pa[5]);
            c50 = Fma.MultiplyAdd(a, b0, c50); c51 = Fma.MultiplyAdd(a, b1, c51);
            pa += 6;
            pb += 16;
        }

        Finish(c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c, ldc, mr, nr, overwrite, tile);
    }

    /// <summary>
    /// The same tile with A read in place, rows of A (row stride lda) instead of a packed panel: when
    /// op(B) is at most 16 wide (a 10-class output layer) packing A costs about as much as the
    /// arithmetic. Each element is the same FMA chain over p as in <see cref="Run"/>, so the bits are
    /// the same. Rows past mr read row 0 of the tile and are never stored.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RunUnpackedA(int kc, float* a, int lda, float* pb, float* c, int ldc, int mr, int nr, bool overwrite, float* tile)
    {
        int last = mr - 1;
        float* a0 = a;
        float* a1 = a + (nint)Math.Min(1, last) * lda;
        float* a2 = a + (nint)Math.Min(2, last) * lda;
        float* a3 = a + (nint)Math.Min(3, last) * lda;
        float* a4 = a + (nint)Math.Min(4, last) * lda;
        float* a5 = a + (nint)Math.Min(5, last) * lda;
        Vector256<float> c00 = default; Vector256<float> c01 = default;
        Vector256<float> c10 = default; Vector256<float> c11 = default;
        Vector256<float> c20 = default; Vector256<float> c21 = default;
        Vector256<float> c30 = default; Vector256<float> c31 = default;
        Vector256<float> c40 = default; Vector256<float> c41 = default;
        Vector256<float> c50 = default; Vector256<float> c51 = default;
        Vector256<float> x;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(pb + 0);
            Vector256<float> b1 = Vector256.Load(pb + 8);
            x = Vector256.Create(a0[p]);
            c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01);
            x = Vector256.Create(a1[p]);
            c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11);
            x = Vector256.Create(a2[p]);
            c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21);
            x = Vector256.Create(a3[p]);
            c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31);
            x = Vector256.Create(a4[p]);
            c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41);
            x = Vector256.Create(a5[p]);
            c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51);
            pb += 16;
        }

        Finish(c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c, ldc, mr, nr, overwrite, tile);
    }

    // Writes the summed tile: straight into C when it is whole, else through the edge tile.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector256<float> c00, Vector256<float> c01, Vector256<float> c10, Vector256<float> c11,
        Vector256<float> c20, Vector256<float> c21, Vector256<float> c30, Vector256<float> c31,
        Vector256<float> c40, Vector256<float> c41, Vector256<float> c50, Vector256<float> c51,
        float* c, int ldc, int mr, int nr, bool overwrite, float* tile)
    {
        if (mr == MR_ && nr == NR_)
        {
            if (overwrite)
            {
                c00.Store(c); c01.Store(c + 8);
                c10.Store(c + 1 * ldc); c11.Store(c + 1 * ldc + 8);
                c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 8);
                c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 8);
                c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 8);
                c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 8);
            }
            else
            {
                (Vector256.Load(c) + c00).Store(c);
                (Vector256.Load(c + 8) + c01).Store(c + 8);
                (Vector256.Load(c + 1 * ldc) + c10).Store(c + 1 * ldc);
                (Vector256.Load(c + 1 * ldc + 8) + c11).Store(c + 1 * ldc + 8);
                (Vector256.Load(c + 2 * ldc) + c20).Store(c + 2 * ldc);
                (Vector256.Load(c + 2 * ldc + 8) + c21).Store(c + 2 * ldc + 8);
                (Vector256.Load(c + 3 * ldc) + c30).Store(c + 3 * ldc);
                (Vector256.Load(c + 3 * ldc + 8) + c31).Store(c + 3 * ldc + 8);
                (Vector256.Load(c + 4 * ldc) + c40).Store(c + 4 * ldc);
                (Vector256.Load(c + 4 * ldc + 8) + c41).Store(c + 4 * ldc + 8);
                (Vector256.Load(c + 5 * ldc) + c50).Store(c + 5 * ldc);
                (Vector256.Load(c + 5 * ldc + 8) + c51).Store(c + 5 * ldc + 8);
            }
            return;
        }

        c00.Store(tile + 0); c01.Store(tile + 8);
        c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40);
        c30.Store(tile + 48); c31.Store(tile + 56);
        c40.Store(tile + 64); c41.Store(tile + 72);
        c50.Store(tile + 80); c51.Store(tile + 88);
        GemmTile.Store(tile, NR_, c, ldc, mr, nr, overwrite);
    }
}
