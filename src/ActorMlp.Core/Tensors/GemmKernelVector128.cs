using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ActorMlp.Core.Tensors;

// Packed A micro-panel is (kc, MR), packed B micro-panel is (kc, NR), the C tile is (MR, NR) with row stride ldc.
// 6 rows x 8 columns: 12 accumulators, two B vectors and the A broadcast fit x86's 16 xmm registers (ARM64 has 32).
/// <summary>
/// The kernel for CPUs where Vector256 is not accelerated (ARM64 NEON, x86 without AVX2): Vector128
/// with FusedMultiplyAdd, each element the same FMA chain over p as the AVX2 and AVX-512 kernels, so
/// the bits are theirs. Only used where the CPU fuses in hardware; the portable kernel serves the rest.
/// </summary>
internal unsafe struct GemmKernelVector128 : IGemmMicroKernel
{
    public static int MR => MR_;
    public static int NR => NR_;
    private const int MR_ = 6;
    private const int NR_ = 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* pa, float* pb, float* c, int ldc, int mr, int nr, bool overwrite, float* tile)
    {
        Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector128<float> a;
        for (int p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(pb);
            Vector128<float> b1 = Vector128.Load(pb + 4);
            a = Vector128.Create(pa[0]);
            c00 = Vector128.FusedMultiplyAdd(a, b0, c00); c01 = Vector128.FusedMultiplyAdd(a, b1, c01);
            a = Vector128.Create(pa[1]);
            c10 = Vector128.FusedMultiplyAdd(a, b0, c10); c11 = Vector128.FusedMultiplyAdd(a, b1, c11);
            a = Vector128.Create(pa[2]);
            c20 = Vector128.FusedMultiplyAdd(a, b0, c20); c21 = Vector128.FusedMultiplyAdd(a, b1, c21);
            a = Vector128.Create(pa[3]);
            c30 = Vector128.FusedMultiplyAdd(a, b0, c30); c31 = Vector128.FusedMultiplyAdd(a, b1, c31);
            a = Vector128.Create(pa[4]);
            c40 = Vector128.FusedMultiplyAdd(a, b0, c40); c41 = Vector128.FusedMultiplyAdd(a, b1, c41);
            a = Vector128.Create(pa[5]);
            c50 = Vector128.FusedMultiplyAdd(a, b0, c50); c51 = Vector128.FusedMultiplyAdd(a, b1, c51);
            pa += MR_;
            pb += NR_;
        }

        if (mr == MR_ && nr == NR_)
        {
            if (overwrite)
            {
                c00.Store(c); c01.Store(c + 4);
                c10.Store(c + 1 * ldc); c11.Store(c + 1 * ldc + 4);
                c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 4);
                c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 4);
                c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 4);
                c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 4);
            }
            else
            {
                (Vector128.Load(c) + c00).Store(c);
                (Vector128.Load(c + 4) + c01).Store(c + 4);
                (Vector128.Load(c + 1 * ldc) + c10).Store(c + 1 * ldc);
                (Vector128.Load(c + 1 * ldc + 4) + c11).Store(c + 1 * ldc + 4);
                (Vector128.Load(c + 2 * ldc) + c20).Store(c + 2 * ldc);
                (Vector128.Load(c + 2 * ldc + 4) + c21).Store(c + 2 * ldc + 4);
                (Vector128.Load(c + 3 * ldc) + c30).Store(c + 3 * ldc);
                (Vector128.Load(c + 3 * ldc + 4) + c31).Store(c + 3 * ldc + 4);
                (Vector128.Load(c + 4 * ldc) + c40).Store(c + 4 * ldc);
                (Vector128.Load(c + 4 * ldc + 4) + c41).Store(c + 4 * ldc + 4);
                (Vector128.Load(c + 5 * ldc) + c50).Store(c + 5 * ldc);
                (Vector128.Load(c + 5 * ldc + 4) + c51).Store(c + 5 * ldc + 4);
            }
            return;
        }

        c00.Store(tile + 0); c01.Store(tile + 4);
        c10.Store(tile + 8); c11.Store(tile + 12);
        c20.Store(tile + 16); c21.Store(tile + 20);
        c30.Store(tile + 24); c31.Store(tile + 28);
        c40.Store(tile + 32); c41.Store(tile + 36);
        c50.Store(tile + 40); c51.Store(tile + 44);
        GemmTile.Store(tile, NR_, c, ldc, mr, nr, overwrite);
    }
}
