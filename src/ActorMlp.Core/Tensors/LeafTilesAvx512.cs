using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ActorMlp.Core.Tensors;

// δ walks the rows with dStride, x is a packed panel of 16 or 32 columns; dW is the tile's corner, row stride ldw.
/// <summary>
/// The AVX-512 tiles of <see cref="LeafOuterProducts"/>: (8, 32) in 16 zmm accumulators, leaving
/// registers for the two x vectors and the δ broadcast.
/// </summary>
internal unsafe struct LeafTilesAvx512 : ILeafTiles
{
    const int MR_ = 8, NR = 32, Lanes = 16;
    static int ILeafTiles.MR => MR_;
    static int ILeafTiles.Lanes => Lanes;
    // One group: the AVX-512 machines this was tuned on have 1–2 MB of L2 per core.
    static int ILeafTiles.DeltaBlockBytes => int.MaxValue;

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

    // One (R, 16·C) tile of dW at (i0, j0), all leaves. Generic over constant sizes, so the JIT keeps
    // exactly the live accumulators in registers and drops the rest.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    // delta walks the rows with dStride, x is a packed panel of 16·C columns; dW is the tile's corner, row stride ldw.
    static void Tile<TR, TC, TRound>(float* delta, int dStride, float* x, int* bounds, int leaves, float* dW, int ldw, float* stack)
        where TR : struct, ILeafRows where TC : struct, ILeafCols where TRound : struct, ILeafRounding
    {
        int R = TR.Full ? MR_ : 1;
        bool two = TC.Two;
        int xStride = two ? 2 * Lanes : Lanes;
        float* top = stack;
        for (int leaf = 0; leaf < leaves; leaf++)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
            Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
            // Pointers that walk the rows, δ's with a constant stride where it is a packed panel (see LeafTilesAvx2).
            int ds = R > 1 ? MR_ : dStride;
            float* xr = x + (nint)bounds[leaf] * xStride;
            float* dr = delta + (nint)bounds[leaf] * ds;
            float* xEnd = x + (nint)bounds[leaf + 1] * xStride;
            for (; xr < xEnd; xr += xStride, dr += ds)
            {
                Vector512<float> b0 = Vector512.Load(xr);
                Vector512<float> b1 = two ? Vector512.Load(xr + Lanes) : default;
                Vector512<float> a = Vector512.Create(dr[0]);
                c00 = Vector512.FusedMultiplyAdd(a, b0, c00); if (two) c01 = Vector512.FusedMultiplyAdd(a, b1, c01);
                if (R > 1)
                {
                    a = Vector512.Create(dr[1]);
                    c10 = Vector512.FusedMultiplyAdd(a, b0, c10); if (two) c11 = Vector512.FusedMultiplyAdd(a, b1, c11);
                    a = Vector512.Create(dr[2]);
                    c20 = Vector512.FusedMultiplyAdd(a, b0, c20); if (two) c21 = Vector512.FusedMultiplyAdd(a, b1, c21);
                    a = Vector512.Create(dr[3]);
                    c30 = Vector512.FusedMultiplyAdd(a, b0, c30); if (two) c31 = Vector512.FusedMultiplyAdd(a, b1, c31);
                    a = Vector512.Create(dr[4]);
                    c40 = Vector512.FusedMultiplyAdd(a, b0, c40); if (two) c41 = Vector512.FusedMultiplyAdd(a, b1, c41);
                    a = Vector512.Create(dr[5]);
                    c50 = Vector512.FusedMultiplyAdd(a, b0, c50); if (two) c51 = Vector512.FusedMultiplyAdd(a, b1, c51);
                    a = Vector512.Create(dr[6]);
                    c60 = Vector512.FusedMultiplyAdd(a, b0, c60); if (two) c61 = Vector512.FusedMultiplyAdd(a, b1, c61);
                    a = Vector512.Create(dr[7]);
                    c70 = Vector512.FusedMultiplyAdd(a, b0, c70); if (two) c71 = Vector512.FusedMultiplyAdd(a, b1, c71);
                }
            }

            // Leaf `leaf` closes one pending node per trailing one bit of its index, each a left sibling;
            // the last leaf of a power-of-two count closes them all.
            // The leaf as the tree holds it (GradientPrecision): in registers where the inputs are finite.
            c00 = TRound.Round(c00); if (two) c01 = TRound.Round(c01);
            if (R > 1)
            {
                c10 = TRound.Round(c10); if (two) c11 = TRound.Round(c11);
                c20 = TRound.Round(c20); if (two) c21 = TRound.Round(c21);
                c30 = TRound.Round(c30); if (two) c31 = TRound.Round(c31);
                c40 = TRound.Round(c40); if (two) c41 = TRound.Round(c41);
                c50 = TRound.Round(c50); if (two) c51 = TRound.Round(c51);
                c60 = TRound.Round(c60); if (two) c61 = TRound.Round(c61);
                c70 = TRound.Round(c70); if (two) c71 = TRound.Round(c71);
            }
            // Where an input is not finite the leaf is merged in memory instead (LeafRounding): rounding
            // that keeps every NaN a NaN needs constants that would push the accumulators out of registers.
            int closes = BitOperations.TrailingZeroCount(leaf + 1);
            for (int merges = TRound.InMemory ? 0 : closes; merges > 0; merges--)
            {
                top -= MR_ * NR;
                c00 = TRound.Round(Vector512.Load(top) + c00); if (two) c01 = TRound.Round(Vector512.Load(top + 16) + c01);
                if (R > 1)
                {
                    c10 = TRound.Round(Vector512.Load(top + 32) + c10); if (two) c11 = TRound.Round(Vector512.Load(top + 48) + c11);
                    c20 = TRound.Round(Vector512.Load(top + 64) + c20); if (two) c21 = TRound.Round(Vector512.Load(top + 80) + c21);
                    c30 = TRound.Round(Vector512.Load(top + 96) + c30); if (two) c31 = TRound.Round(Vector512.Load(top + 112) + c31);
                    c40 = TRound.Round(Vector512.Load(top + 128) + c40); if (two) c41 = TRound.Round(Vector512.Load(top + 144) + c41);
                    c50 = TRound.Round(Vector512.Load(top + 160) + c50); if (two) c51 = TRound.Round(Vector512.Load(top + 176) + c51);
                    c60 = TRound.Round(Vector512.Load(top + 192) + c60); if (two) c61 = TRound.Round(Vector512.Load(top + 208) + c61);
                    c70 = TRound.Round(Vector512.Load(top + 224) + c70); if (two) c71 = TRound.Round(Vector512.Load(top + 240) + c71);
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
                ld = 2 * Lanes;
                top += MR_ * NR;
            }
            c00.Store(dst); if (two) c01.Store(dst + 16);
            if (R > 1)
            {
                c10.Store(dst + ld); if (two) c11.Store(dst + ld + 16);
                c20.Store(dst + 2 * ld); if (two) c21.Store(dst + 2 * ld + 16);
                c30.Store(dst + 3 * ld); if (two) c31.Store(dst + 3 * ld + 16);
                c40.Store(dst + 4 * ld); if (two) c41.Store(dst + 4 * ld + 16);
                c50.Store(dst + 5 * ld); if (two) c51.Store(dst + 5 * ld + 16);
                c60.Store(dst + 6 * ld); if (two) c61.Store(dst + 6 * ld + 16);
                c70.Store(dst + 7 * ld); if (two) c71.Store(dst + 7 * ld + 16);
            }
            if (TRound.InMemory) top = LeafRounding.Close(top - MR_ * NR, MR_ * NR, closes, leaf + 1 == leaves, 2 * Lanes, R, two ? 2 * Lanes : Lanes, dW, ldw);
        }
    }
}
