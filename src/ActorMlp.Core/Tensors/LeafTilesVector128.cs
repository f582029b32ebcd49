using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ActorMlp.Core.Numerics;

namespace ActorMlp.Core.Tensors;

// δ walks the rows with dStride, x is a packed panel of 4 or 8 columns; dW is the tile's corner, row stride ldw.
/// <summary>
/// The 128-bit tiles of <see cref="LeafOuterProducts"/> (ARM64, x86 without AVX2): (6, 8), 12
/// accumulators, two x vectors and the δ broadcast in 16 registers. Fused where the CPU fuses
/// (<see cref="Fused"/>), as the reference then is too.
/// </summary>
internal unsafe struct LeafTilesVector128 : ILeafTiles
{
    const int MR_ = 6, NR = 8, Lanes = 4;
    static int ILeafTiles.MR => MR_;
    static int ILeafTiles.Lanes => Lanes;
    // As AVX2: ARM64 cores have 512 KB to 2 MB of L2.
    static int ILeafTiles.DeltaBlockBytes => 192 * 1024;

    public static void Tile<TRound>(bool full, bool two, float* delta, int dStride, float* x, int* bounds, int leaves, float* dW, int ldw, float* stack)
        where TRound : struct, ILeafRounding
    {
        if (two)
        {
            if (full) Tile<LeafFullRows, LeafTwoVectors, TRound>(delta, dStride, x, bounds, leaves, dW, ldw, stack);
            else Tile<LeafOneRow, LeafTwoVectors, TRound>(delta, dStride, x, bounds, leaves, dW, ldw, stack);
        }
        else if (full) Tile<LeafFullRows, LeafOneVector, TRound>(delta, dStride, x, bounds, leaves, dW, ldw, stack);
        else Tile<LeafOneRow, LeafOneVector, TRound>(delta, dStride, x, bounds, leaves, dW, ldw, stack);
    }

    // One (R, 4·C) tile of dW, all leaves: each leaf's element one fused multiply-add chain from zero over its rows,
    // leaves merged left + right in tree order through the stack.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile<TR, TC, TRound>(float* delta, int dStride, float* x, int* bounds, int leaves, float* dW, int ldw, float* stack)
        where TR : struct, ILeafRows where TC : struct, ILeafCols where TRound : struct, ILeafRounding
    {
        bool full = TR.Full;
        bool two = TC.Two;
        int xStride = two ? NR : Lanes;
        float* top = stack;
        for (int leaf = 0; leaf < leaves; leaf++)
        {
            Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            // Pointers that walk the rows, δ's with a constant stride where it is a packed panel (see LeafTilesAvx2;
            // on this path the same speed as indexing, kept for one loop shape across the paths).
            int ds = full ? MR_ : dStride;
            float* xr = x + (nint)bounds[leaf] * xStride;
            float* dr = delta + (nint)bounds[leaf] * ds;
            float* xEnd = x + (nint)bounds[leaf + 1] * xStride;
            for (; xr < xEnd; xr += xStride, dr += ds)
            {
                Vector128<float> b0 = Vector128.Load(xr);
                Vector128<float> b1 = two ? Vector128.Load(xr + Lanes) : default;
                Vector128<float> a = Vector128.Create(dr[0]);
                c00 = Fused.MulAdd(a, b0, c00); if (two) c01 = Fused.MulAdd(a, b1, c01);
                if (full)
                {
                    a = Vector128.Create(dr[1]);
                    c10 = Fused.MulAdd(a, b0, c10); if (two) c11 = Fused.MulAdd(a, b1, c11);
                    a = Vector128.Create(dr[2]);
                    c20 = Fused.MulAdd(a, b0, c20); if (two) c21 = Fused.MulAdd(a, b1, c21);
                    a = Vector128.Create(dr[3]);
                    c30 = Fused.MulAdd(a, b0, c30); if (two) c31 = Fused.MulAdd(a, b1, c31);
                    a = Vector128.Create(dr[4]);
                    c40 = Fused.MulAdd(a, b0, c40); if (two) c41 = Fused.MulAdd(a, b1, c41);
                    a = Vector128.Create(dr[5]);
                    c50 = Fused.MulAdd(a, b0, c50); if (two) c51 = Fused.MulAdd(a, b1, c51);
                }
            }

            // Leaf `leaf` closes one pending node per trailing one bit of its index, each a left sibling;
            // the last leaf of a power-of-two count closes them all.
            // The leaf as the tree holds it (GradientPrecision): in registers where the inputs are finite.
            c00 = TRound.Round(c00); if (two) c01 = TRound.Round(c01);
            if (full)
            {
                c10 = TRound.Round(c10); if (two) c11 = TRound.Round(c11);
                c20 = TRound.Round(c20); if (two) c21 = TRound.Round(c21);
                c30 = TRound.Round(c30); if (two) c31 = TRound.Round(c31);
                c40 = TRound.Round(c40); if (two) c41 = TRound.Round(c41);
                c50 = TRound.Round(c50); if (two) c51 = TRound.Round(c51);
            }
            // Where an input is not finite the leaf is merged in memory instead (LeafRounding): rounding
            // that keeps every NaN a NaN needs constants that would push the accumulators out of registers.
            int closes = BitOperations.TrailingZeroCount(leaf + 1);
            for (int merges = TRound.InMemory ? 0 : closes; merges > 0; merges--)
            {
                top -= MR_ * NR;
                c00 = TRound.Round(Vector128.Load(top) + c00); if (two) c01 = TRound.Round(Vector128.Load(top + Lanes) + c01);
                if (full)
                {
                    c10 = TRound.Round(Vector128.Load(top + 8) + c10); if (two) c11 = TRound.Round(Vector128.Load(top + 12) + c11);
                    c20 = TRound.Round(Vector128.Load(top + 16) + c20); if (two) c21 = TRound.Round(Vector128.Load(top + 20) + c21);
                    c30 = TRound.Round(Vector128.Load(top + 24) + c30); if (two) c31 = TRound.Round(Vector128.Load(top + 28) + c31);
                    c40 = TRound.Round(Vector128.Load(top + 32) + c40); if (two) c41 = TRound.Round(Vector128.Load(top + 36) + c41);
                    c50 = TRound.Round(Vector128.Load(top + 40) + c50); if (two) c51 = TRound.Round(Vector128.Load(top + 44) + c51);
                }
            }

            float* dst;
            int ld;
            if (leaf + 1 == leaves && !TRound.InMemory)
            {
                dst = dW;
                ld = ldw;
            }
            else
            {
                dst = top;
                ld = NR;
                top += MR_ * NR;
            }
            c00.Store(dst); if (two) c01.Store(dst + Lanes);
            if (full)
            {
                c10.Store(dst + 1 * ld); if (two) c11.Store(dst + 1 * ld + Lanes);
                c20.Store(dst + 2 * ld); if (two) c21.Store(dst + 2 * ld + Lanes);
                c30.Store(dst + 3 * ld); if (two) c31.Store(dst + 3 * ld + Lanes);
                c40.Store(dst + 4 * ld); if (two) c41.Store(dst + 4 * ld + Lanes);
                c50.Store(dst + 5 * ld); if (two) c51.Store(dst + 5 * ld + Lanes);
            }
            if (TRound.InMemory) top = LeafRounding.Close(top - MR_ * NR, MR_ * NR, closes, leaf + 1 == leaves, NR, full ? MR_ : 1, two ? NR : Lanes, dW, ldw);
        }
    }
}
