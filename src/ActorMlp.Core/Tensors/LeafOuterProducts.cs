using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ActorMlp.Core.Tensors;

// δ is (rows, outs), x is (rows, ins), dW is (outs, ins); leaf j is rows [bounds[j], bounds[j+1]), a power of two of leaves.
/// <summary>
/// dW = the reduction-tree sum over leaves of δ_leafᵀ·x_leaf, in one pass over the rows: each (8, 32)
/// register tile of dW is computed leaf after leaf and the leaves are merged like a binary counter
/// (left + right, left first) while they are still in registers or L1, so no leaf-sized gradient
/// ever goes through memory. A leaf's element is one FMA chain from zero over its rows in order,
/// bit for bit <see cref="LeafOuterProductsReference"/> on any CPU: Vector512.FusedMultiplyAdd is a
/// true fused operation even where the hardware splits or emulates it. Without AVX-512 the tiles run
/// as (4, 16) halves on 256-bit registers (<see cref="Tile256"/>): the same operations on the same
/// elements in the same order, so the same bits, at the speed of the hardware rather than of Vector512's
/// software fallback (3–4× slower on AVX2).
/// </summary>
public static unsafe partial class LeafOuterProducts
{
    const int MR = 8, NR = 32, Lanes = 16;

    static readonly bool Use256 = !Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated && Fma.IsSupported;

    public static void Compute(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW)
        => Compute(delta, outs, x, ins, bounds, dW, Use256);

    /// <summary>The same with the register width chosen by the caller, so tests run both kernels on any CPU.</summary>
    [SkipLocalsInit]
    internal static void Compute(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW, bool use256)
    {
        int leaves = bounds.Length - 1;
        if (leaves < 1 || !BitOperations.IsPow2(leaves)) throw new ArgumentException($"a tree node has a power of two of leaves, got {leaves}", nameof(bounds));
        int rows = bounds[^1];
        if (bounds[0] != 0) throw new ArgumentException("the first leaf starts at row 0", nameof(bounds));
        for (int j = 0; j < leaves; j++)
            if (bounds[j + 1] < bounds[j]) throw new ArgumentException("leaf bounds must not decrease", nameof(bounds));
        if (delta.Length < rows * outs || x.Length < rows * ins) throw new ArgumentException($"δ and x must hold {rows} rows");
        if (dW.Length < outs * ins) throw new ArgumentException($"dW must hold ({outs}, {ins})", nameof(dW));
        if (outs == 0 || ins == 0) return;

        int fullRows = outs / MR * MR, vecCols = ins / Lanes * Lanes;
        int depth = BitOperations.Log2((uint)leaves);
        // The counter's stack holds at most one pending node per level, on 64-byte lines: a tile row
        // split across two lines costs a store and a load per merge (~15 % at 8 rows per leaf).
        float* unaligned = stackalloc float[Math.Max(depth, 1) * MR * NR + Lanes];
        float* stack = (float*)(((nint)unaligned + 63) & ~(nint)63);
        // δ and x are repacked into panels read front to back, (rows, 8) and (rows, 32) (or 16 for the
        // last), so every row's operands are adjacent: strided rows thrash L1 and defeat the prefetcher.
        float* xp = GemmScratch.B(Math.Max(1, rows * vecCols));
        float* dp = GemmScratch.A(Math.Max(1, rows * fullRows));
        fixed (float* pd = delta)
        fixed (float* px = x)
        fixed (int* pb = bounds)
        fixed (float* pw = dW)
        {
            PackPanels(px, ins, rows, vecCols, NR, xp);
            PackPanels(pd, outs, rows, fullRows, MR, dp);
            // One x panel at a time under every δ panel: the panel stays in L1 while δ (rows × outs)
            // streams from L2; the other order re-reads all of x from memory once per 8 outputs.
            for (int j0 = 0; j0 < vecCols; j0 += NR)
            {
                float* xPanel = xp + (nint)j0 * rows;
                bool two = j0 + NR <= vecCols;
                for (int i0 = 0; i0 < outs; i0 += i0 < fullRows ? MR : 1)
                {
                    bool full = i0 < fullRows;
                    // A row of the tail is read in place, with the stride of δ.
                    float* dPanel = full ? dp + (nint)i0 * rows : pd + i0;
                    int dStride = full ? MR : outs;
                    float* corner = pw + (nint)i0 * ins + j0;
                    if (use256)
                    {
                        for (int half = 0; half < (full ? 2 : 1); half++)
                        {
                            float* d = dPanel + half * 4;
                            float* w = corner + (nint)half * 4 * ins;
                            if (full) Tile256<R4>(d, dStride, xPanel, two ? NR : Lanes, pb, leaves, w, ins, stack);
                            else Tile256<R1>(d, dStride, xPanel, two ? NR : Lanes, pb, leaves, w, ins, stack);
                            if (!two) continue;
                            if (full) Tile256<R4>(d, dStride, xPanel + Lanes, NR, pb, leaves, w + Lanes, ins, stack);
                            else Tile256<R1>(d, dStride, xPanel + Lanes, NR, pb, leaves, w + Lanes, ins, stack);
                        }
                    }
                    else if (two)
                    {
                        if (full) Tile<R8, C2>(dPanel, dStride, xPanel, pb, leaves, corner, ins, stack);
                        else Tile<R1, C2>(dPanel, dStride, xPanel, pb, leaves, corner, ins, stack);
                    }
                    else if (full) Tile<R8, C1>(dPanel, dStride, xPanel, pb, leaves, corner, ins, stack);
                    else Tile<R1, C1>(dPanel, dStride, xPanel, pb, leaves, corner, ins, stack);
                }
            }
        }
        if (vecCols < ins) LeafOuterProductsReference.Compute(delta, outs, x, ins, bounds, dW, 0, outs, vecCols, ins);
    }

    // source is (rows, ld); columns [0, cols) go to panels of `width` columns (the last may be 16 wide),
    // panel p holding (rows, its width) contiguously from destination + p·width·rows.
    static void PackPanels(float* source, int ld, int rows, int cols, int width, float* destination)
    {
        for (int c0 = 0; c0 < cols; c0 += width)
        {
            int w = Math.Min(width, cols - c0);
            float* dst = destination + (nint)c0 * rows;
            for (int r = 0; r < rows; r++)
            {
                float* src = source + (nint)r * ld + c0;
                for (int c = 0; c < w; c += 8) Vector256.Store(Vector256.Load(src + c), dst + c);
                dst += w;
            }
        }
    }

    interface IRows { static abstract int Count { get; } }
    struct R8 : IRows { public static int Count => 8; }
    struct R4 : IRows { public static int Count => 4; }
    struct R1 : IRows { public static int Count => 1; }
    interface ICols { static abstract bool Two { get; } }
    struct C2 : ICols { public static bool Two => true; }
    struct C1 : ICols { public static bool Two => false; }

    // One (R, 16·C) tile of dW at (i0, j0), all leaves. Generic over constant sizes, so the JIT keeps
    // exactly the live accumulators in registers and drops the rest.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    // delta walks the rows with dStride, x is a packed panel of 16·C columns; dW is the tile's corner, row stride ldw.
    static void Tile<TR, TC>(float* delta, int dStride, float* x, int* bounds, int leaves, float* dW, int ldw, float* stack)
        where TR : struct, IRows where TC : struct, ICols
    {
        int R = TR.Count;
        bool two = TC.Two;
        int xStride = two ? 2 * Lanes : Lanes;
        float* top = stack;
        for (int leaf = 0; leaf < leaves; leaf++)
        {
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
            Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
            int end = bounds[leaf + 1];
            for (int r = bounds[leaf]; r < end; r++)
            {
                float* xr = x + (nint)r * xStride;
                float* dr = delta + (nint)r * dStride;
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
            for (int merges = BitOperations.TrailingZeroCount(leaf + 1); merges > 0; merges--)
            {
                top -= MR * NR;
                c00 = Vector512.Load(top) + c00; if (two) c01 = Vector512.Load(top + 16) + c01;
                if (R > 1)
                {
                    c10 = Vector512.Load(top + 32) + c10; if (two) c11 = Vector512.Load(top + 48) + c11;
                    c20 = Vector512.Load(top + 64) + c20; if (two) c21 = Vector512.Load(top + 80) + c21;
                    c30 = Vector512.Load(top + 96) + c30; if (two) c31 = Vector512.Load(top + 112) + c31;
                    c40 = Vector512.Load(top + 128) + c40; if (two) c41 = Vector512.Load(top + 144) + c41;
                    c50 = Vector512.Load(top + 160) + c50; if (two) c51 = Vector512.Load(top + 176) + c51;
                    c60 = Vector512.Load(top + 192) + c60; if (two) c61 = Vector512.Load(top + 208) + c61;
                    c70 = Vector512.Load(top + 224) + c70; if (two) c71 = Vector512.Load(top + 240) + c71;
                }
            }

            float* dst;
            int ld;
            if (leaf + 1 == leaves)
            {
                dst = dW;
                ld = ldw;
            }
            else
            {
                dst = top;
                ld = 2 * Lanes;
                top += MR * NR;
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
        }
    }
}
