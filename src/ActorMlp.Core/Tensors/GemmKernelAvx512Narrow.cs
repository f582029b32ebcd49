using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ActorMlp.Core.Tensors;

// Packed A micro-panel is (kc, MR), packed B micro-panel is (kc, NR), the C tile is (MR, NR) with row stride ldc.
// For op(B) at most 16 wide (a 10-class output layer): one zmm per row wastes 6 of 16 lanes on n = 10, where the 32-wide kernel wastes 22 of 32.
internal unsafe struct GemmKernelAvx512Narrow : IGemmMicroKernel
{
    public static int MR => MR_;
    public static int NR => NR_;
    private const int MR_ = 8;
    private const int NR_ = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* pa, float* pb, float* c, int ldc, int mr, int nr, bool overwrite, float* tile)
    {
        Vector512<float> c00 = default;
        Vector512<float> c10 = default;
        Vector512<float> c20 = default;
        Vector512<float> c30 = default;
        Vector512<float> c40 = default;
        Vector512<float> c50 = default;
        Vector512<float> c60 = default;
        Vector512<float> c70 = default;
        Vector512<float> a;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(pb + 0);
            a = Vector512.Create(pa[0]);
            c00 = Avx512F.FusedMultiplyAdd(a, b0, c00);
            a = Vector512.Create(pa[1]);
            c10 = Avx512F.FusedMultiplyAdd(a, b0, c10);
            a = Vector512.Create(pa[2]);
            c20 = Avx512F.FusedMultiplyAdd(a, b0, c20);
            a = Vector512.Create(pa[3]);
            c30 = Avx512F.FusedMultiplyAdd(a, b0, c30);
            a = Vector512.Create(pa[4]);
            c40 = Avx512F.FusedMultiplyAdd(a, b0, c40);
            a = Vector512.Create(pa[5]);
            c50 = Avx512F.FusedMultiplyAdd(a, b0, c50);
            a = Vector512.Create(pa[6]);
            c60 = Avx512F.FusedMultiplyAdd(a, b0, c60);
            a = Vector512.Create(pa[7]);
            c70 = Avx512F.FusedMultiplyAdd(a, b0, c70);
            pa += 8;
            pb += 16;
        }

        if (mr == MR_ && nr == NR_)
        {
            if (overwrite)
            {
                c00.Store(c);
                c10.Store(c + 1 * ldc);
                c20.Store(c + 2 * ldc);
                c30.Store(c + 3 * ldc);
                c40.Store(c + 4 * ldc);
                c50.Store(c + 5 * ldc);
                c60.Store(c + 6 * ldc);
                c70.Store(c + 7 * ldc);
            }
            else
            {
                (Vector512.Load(c) + c00).Store(c);
                (Vector512.Load(c + 1 * ldc) + c10).Store(c + 1 * ldc);
                (Vector512.Load(c + 2 * ldc) + c20).Store(c + 2 * ldc);
                (Vector512.Load(c + 3 * ldc) + c30).Store(c + 3 * ldc);
                (Vector512.Load(c + 4 * ldc) + c40).Store(c + 4 * ldc);
                (Vector512.Load(c + 5 * ldc) + c50).Store(c + 5 * ldc);
                (Vector512.Load(c + 6 * ldc) + c60).Store(c + 6 * ldc);
                (Vector512.Load(c + 7 * ldc) + c70).Store(c + 7 * ldc);
            }
            return;
        }

        c00.Store(tile + 0);
        c10.Store(tile + 16);
        c20.Store(tile + 32);
        c30.Store(tile + 48);
        c40.Store(tile + 64);
        c50.Store(tile + 80);
        c60.Store(tile + 96);
        c70.Store(tile + 112);
        GemmTile.Store(tile, NR_, c, ldc, mr, nr, overwrite);
    }
}
