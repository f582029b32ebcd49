using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ActorMlp.Core.Tensors;

// Packed A micro-panel is (kc, MR), packed B micro-panel is (kc, NR), the C tile is (MR, NR) with row stride ldc.
// 8 rows x 32 columns keeps 16 zmm accumulators live, leaving registers for two B vectors and the A broadcast.
internal unsafe struct GemmKernelAvx512 : IGemmMicroKernel
{
    public static int MR => MR_;
    public static int NR => NR_;
    private const int MR_ = 8;
    private const int NR_ = 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* pa, float* pb, float* c, int ldc, int mr, int nr, bool overwrite, float* tile)
    {
        Vector512<float> c00 = default; Vector512<float> c01 = default;
        Vector512<float> c10 = default; Vector512<float> c11 = default;
        Vector512<float> c20 = default; Vector512<float> c21 = default;
        Vector512<float> c30 = default; Vector512<float> c31 = default;
        Vector512<float> c40 = default; Vector512<float> c41 = default;
        Vector512<float> c50 = default; Vector512<float> c51 = default;
        Vector512<float> c60 = default; Vector512<float> c61 = default;
        Vector512<float> c70 = default; Vector512<float> c71 = default;
        Vector512<float> a;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(pb + 0);
            Vector512<float> b1 = Vector512.Load(pb + 16);
            a = Vector512.Create(pa[0]);
            c00 = Avx512F.FusedMultiplyAdd(a, b0, c00); c01 = Avx512F.FusedMultiplyAdd(a, b1, c01);
            a = Vector512.Create(pa[1]);
            c10 = Avx512F.FusedMultiplyAdd(a, b0, c10); c11 = Avx512F.FusedMultiplyAdd(a, b1, c11);
            a = Vector512.Create(pa[2]);
            c20 = Avx512F.FusedMultiplyAdd(a, b0, c20); c21 = Avx512F.FusedMultiplyAdd(a, b1, c21);
            a = Vector512.Create(pa[3]);
            c30 = Avx512F.FusedMultiplyAdd(a, b0, c30); c31 = Avx512F.FusedMultiplyAdd(a, b1, c31);
            a = Vector512.Create(pa[4]);
            c40 = Avx512F.FusedMultiplyAdd(a, b0, c40); c41 = Avx512F.FusedMultiplyAdd(a, b1, c41);
            a = Vector512.Create(pa[5]);
            c50 = Avx512F.FusedMultiplyAdd(a, b0, c50); c51 = Avx512F.FusedMultiplyAdd(a, b1, c51);
            a = Vector512.Create(pa[6]);
            c60 = Avx512F.FusedMultiplyAdd(a, b0, c60); c61 = Avx512F.FusedMultiplyAdd(a, b1, c61);
            a = Vector512.Create(pa[7]);
            c70 = Avx512F.FusedMultiplyAdd(a, b0, c70); c71 = Avx512F.FusedMultiplyAdd(a, b1, c71);
            pa += 8;
            pb += 32;
        }

        if (mr == MR_ && nr == NR_)
        {
            if (overwrite)
            {
                c00.Store(c); c01.Store(c + 16);
                c10.Store(c + 1 * ldc); c11.Store(c + 1 * ldc + 16);
                c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16);
                c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16);
                c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16);
                c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16);
                c60.Store(c + 6 * ldc); c61.Store(c + 6 * ldc + 16);
                c70.Store(c + 7 * ldc); c71.Store(c + 7 * ldc + 16);
            }
            else
            {
                (Vector512.Load(c) + c00).Store(c);
                (Vector512.Load(c + 16) + c01).Store(c + 16);
                (Vector512.Load(c + 1 * ldc) + c10).Store(c + 1 * ldc);
                (Vector512.Load(c + 1 * ldc + 16) + c11).Store(c + 1 * ldc + 16);
                (Vector512.Load(c + 2 * ldc) + c20).Store(c + 2 * ldc);
                (Vector512.Load(c + 2 * ldc + 16) + c21).Store(c + 2 * ldc + 16);
                (Vector512.Load(c + 3 * ldc) + c30).Store(c + 3 * ldc);
                (Vector512.Load(c + 3 * ldc + 16) + c31).Store(c + 3 * ldc + 16);
                (Vector512.Load(c + 4 * ldc) + c40).Store(c + 4 * ldc);
                (Vector512.Load(c + 4 * ldc + 16) + c41).Store(c + 4 * ldc + 16);
                (Vector512.Load(c + 5 * ldc) + c50).Store(c + 5 * ldc);
                (Vector512.Load(c + 5 * ldc + 16) + c51).Store(c + 5 * ldc + 16);
                (Vector512.Load(c + 6 * ldc) + c60).Store(c + 6 * ldc);
                (Vector512.Load(c + 6 * ldc + 16) + c61).Store(c + 6 * ldc + 16);
                (Vector512.Load(c + 7 * ldc) + c70).Store(c + 7 * ldc);
                (Vector512.Load(c + 7 * ldc + 16) + c71).Store(c + 7 * ldc + 16);
            }
            return;
        }

        c00.Store(tile + 0); c01.Store(tile + 16);
        c10.Store(tile + 32); c11.Store(tile + 48);
        c20.Store(tile + 64); c21.Store(tile + 80);
        c30.Store(tile + 96); c31.Store(tile + 112);
        c40.Store(tile + 128); c41.Store(tile + 144);
        c50.Store(tile + 160); c51.Store(tile + 176);
        c60.Store(tile + 192); c61.Store(tile + 208);
        c70.Store(tile + 224); c71.Store(tile + 240);
        GemmTile.Store(tile, NR_, c, ldc, mr, nr, overwrite);
    }
}
