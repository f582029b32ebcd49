using System.Runtime.Intrinsics;

namespace ActorMlp.Core.Tensors;

// Packed A micro-panel is (kc, 4), packed B micro-panel is (kc, 8), the C tile is (4, 8) with row stride ldc.
/// <summary>
/// Fallback for CPUs without AVX2/FMA (and for non-x86): Vector128 multiply then add, which is
/// accelerated on SSE and NEON alike. Rounds differently from the FMA kernels, but is just as deterministic.
/// </summary>
internal unsafe struct GemmKernelPortable : IGemmMicroKernel
{
    public static int MR => MR_;
    public static int NR => NR_;
    private const int MR_ = 4;
    private const int NR_ = 8;

    public static void Run(int kc, float* pa, float* pb, float* c, int ldc, int mr, int nr, bool overwrite, float* tile)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector128<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(pb);
            Vector128<float> b1 = Vector128.Load(pb + 4);
            Vector128<float> a = Vector128.Create(pa[0]);
            c00 += a * b0; c01 += a * b1;
            a = Vector128.Create(pa[1]);
            c10 += a * b0; c11 += a * b1;
            a = Vector128.Create(pa[2]);
            c20 += a * b0; c21 += a * b1;
            a = Vector128.Create(pa[3]);
            c30 += a * b0; c31 += a * b1;
            pa += MR_;
            pb += NR_;
        }

        c00.Store(tile); c01.Store(tile + 4);
        c10.Store(tile + 8); c11.Store(tile + 12);
        c20.Store(tile + 16); c21.Store(tile + 20);
        c30.Store(tile + 24); c31.Store(tile + 28);
        GemmTile.Store(tile, NR_, c, ldc, mr, nr, overwrite);
    }
}
