using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ActorMlp.Core.Determinism;

namespace ActorMlp.Core.Tensors;

// δ is (rows, outs), x is (rows, ins), dW is (outs, ins); leaf j is rows [bounds[j], bounds[j+1]), a power of two of leaves.
/// <summary>
/// dW = the reduction-tree sum over leaves of δ_leafᵀ·x_leaf, in one pass over the rows: each register
/// tile of dW ((8, 32) on AVX-512, (6, 16) on AVX2, (6, 8) on Vector128) is computed leaf after leaf and the leaves are merged like a binary counter
/// (left + right, left first) while they are still in registers or L1, so no leaf-sized gradient
/// ever goes through memory. A leaf's element is one FMA chain from zero over its rows in order,
/// bit for bit <see cref="LeafOuterProductsReference"/> on every path of a numeric class: the tile
/// shape changes which elements share registers, never the operations that make one element.
/// </summary>
internal static unsafe class LeafOuterProducts
{
    /// <summary>On the process's path (<see cref="ComputeKernel.Current"/>).</summary>
    public static void Compute(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW)
        => Compute(ComputeKernel.Current, delta, outs, x, ins, bounds, dW, 0, outs);

    /// <summary>
    /// Only rows [<paramref name="first"/>, <paramref name="end"/>) of dW, on the process's path: each
    /// element is made by the same operations whatever the range, so a gradient computed in parts has
    /// the bits of one computed whole.
    /// </summary>
    public static void Compute(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW, int first, int end)
        => Compute(ComputeKernel.Current, delta, outs, x, ins, bounds, dW, first, end);

    /// <summary>
    /// The same, each node of the tree (each leaf, each sum) held in <paramref name="precision"/>:
    /// in bfloat16 every value is rounded as it is formed, in registers, before it meets its sibling.
    /// </summary>
    public static void Compute(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW, int first, int end,
        GradientPrecision precision)
        => Compute(ComputeKernel.Current, delta, outs, x, ins, bounds, dW, first, end, precision);

    /// <summary>On a chosen path, so tests can check every path this CPU runs.</summary>
    internal static void Compute(KernelPath path, ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW)
        => Compute(path, delta, outs, x, ins, bounds, dW, 0, outs);

    internal static void Compute(KernelPath path, ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW, int first, int end,
        GradientPrecision precision = GradientPrecision.Float32)
    {
        ComputeKernel.Require(path);
        ComputeOnAnyPath(path, delta, outs, x, ins, bounds, dW, first, end, precision);
    }

    /// <summary>
    /// On a path whether or not the CPU accelerates it: the AVX-512 tiles are written on Vector512, which
    /// .NET runs lane by lane where it is not accelerated, with the same operations; so a machine without
    /// AVX-512 can still check that path's bits, slowly. Tests only.
    /// </summary>
    internal static void ComputeOnAnyPath(KernelPath path, ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW, int first, int end,
        GradientPrecision precision)
    {
        if (first < 0 || end > outs || first > end) throw new ArgumentOutOfRangeException(nameof(first), $"rows [{first}, {end}) are not within dW's {outs}");
        if (precision == GradientPrecision.Float32 || first == end) Run<LeafExact>(path, delta, outs, x, ins, bounds, dW, first, end);
        else if (AllFinite(delta, outs, x, ins, bounds)) Run<LeafBf16Finite>(path, delta, outs, x, ins, bounds, dW, first, end);
        else Run<LeafBf16>(path, delta, outs, x, ins, bounds, dW, first, end);
    }

    // The rows the leaves cover; Run checks the lengths.
    static bool AllFinite(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds)
    {
        int rows = bounds.Length > 0 ? bounds[^1] : 0;
        if (rows < 0 || delta.Length < rows * outs || x.Length < rows * ins) return false;
        return TensorPrimitives.IsFiniteAll(delta[..(rows * outs)]) && TensorPrimitives.IsFiniteAll(x[..(rows * ins)]);
    }

    static void Run<TRound>(KernelPath path, ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW, int first, int end)
        where TRound : struct, ILeafRounding
    {
        switch (path)
        {
            case KernelPath.Avx512: Run<LeafTilesAvx512, TRound>(delta, outs, x, ins, bounds, dW, first, end); break;
            case KernelPath.Avx2: Run<LeafTilesAvx2, TRound>(delta, outs, x, ins, bounds, dW, first, end); break;
            default: Run<LeafTilesVector128, TRound>(delta, outs, x, ins, bounds, dW, first, end); break;
        }
    }

    // Rows [o0, o1) of dW: δ's columns o0.. (row stride outs) and dW's rows o0.. are where the tiles start.
    [SkipLocalsInit]
    static void Run<TTiles, TRound>(ReadOnlySpan<float> delta, int outs, ReadOnlySpan<float> x, int ins, ReadOnlySpan<int> bounds, Span<float> dW, int o0, int o1)
        where TTiles : struct, ILeafTiles where TRound : struct, ILeafRounding
    {
        int MR = TTiles.MR, Lanes = TTiles.Lanes, NR = 2 * Lanes;
        int leaves = bounds.Length - 1;
        if (leaves < 1 || !BitOperations.IsPow2(leaves)) throw new ArgumentException($"a tree node has a power of two of leaves, got {leaves}", nameof(bounds));
        int rows = bounds[^1];
        if (bounds[0] != 0) throw new ArgumentException("the first leaf starts at row 0", nameof(bounds));
        for (int j = 0; j < leaves; j++)
            if (bounds[j + 1] < bounds[j]) throw new ArgumentException("leaf bounds must not decrease", nameof(bounds));
        if (delta.Length < rows * outs || x.Length < rows * ins) throw new ArgumentException($"δ and x must hold {rows} rows");
        if (dW.Length < outs * ins) throw new ArgumentException($"dW must hold ({outs}, {ins})", nameof(dW));
        int count = o1 - o0;
        if (count == 0 || ins == 0) return;

        int fullRows = count / MR * MR, vecCols = ins / Lanes * Lanes;
        int depth = BitOperations.Log2((uint)leaves);
        // The counter's stack holds at most one pending node per level and the leaf being merged, on 64-byte lines: a tile row
        // split across two lines costs a store and a load per merge (~15 % at 8 rows per leaf).
        float* unaligned = stackalloc float[(depth + 1) * MR * NR + 16];
        float* stack = (float*)(((nint)unaligned + 63) & ~(nint)63);
        // δ and x are repacked into panels read front to back, (rows, MR) and (rows, NR) (or one vector
        // for the last), so every row's operands are adjacent: strided rows thrash L1 and defeat the prefetcher.
        float* xp = GemmScratch.B(Math.Max(1, rows * vecCols));
        float* dp = GemmScratch.A(Math.Max(1, rows * fullRows));
        bool wide = TTiles.Lanes >= 8;
        fixed (float* pd = delta)
        fixed (float* px = x)
        fixed (int* pb = bounds)
        fixed (float* pw = dW)
        {
            PackPanels(px, ins, rows, vecCols, NR, xp, wide);
            PackPanels(pd + o0, outs, rows, fullRows, MR, dp, wide);
            // One x panel at a time under every δ panel: the panel stays in L1 while δ (rows × outs)
            // streams from L2; the other order re-reads all of x from memory once per MR outputs.
            // Where δ outgrows L2 (a 512 KB L2 holds 128 rows of 256 outputs with room to spare, not
            // 512), the outputs go in groups whose δ fits, each group under all of x in turn: x is
            // then read once per group, where δ would be read from L3 once per x panel.
            int group = TTiles.DeltaBlockBytes / Math.Max(1, rows * sizeof(float)) / MR * MR;
            group = group <= 0 ? MR : Math.Min(group, count);
            for (int g0 = 0; g0 < count; g0 += group)
            for (int j0 = 0; j0 < vecCols; j0 += NR)
            {
                float* xPanel = xp + (nint)j0 * rows;
                bool two = j0 + NR <= vecCols;
                int g1 = Math.Min(count, g0 + group);
                for (int i0 = g0; i0 < g1; i0 += i0 < fullRows ? MR : 1)
                {
                    bool full = i0 < fullRows;
                    // A row of the tail is read in place, with the stride of δ.
                    float* dPanel = full ? dp + (nint)i0 * rows : pd + o0 + i0;
                    int dStride = full ? MR : outs;
                    TTiles.Tile<TRound>(full, two, dPanel, dStride, xPanel, pb, leaves, pw + (nint)(o0 + i0) * ins + j0, ins, stack);
                }
            }
        }
        if (vecCols < ins) LeafOuterProductsReference.Compute(delta, outs, x, ins, bounds, dW, o0, o1, vecCols, ins, TRound.Precision);
    }

    // source is (rows, ld); columns [0, cols) go to panels of `width` columns (the last may be narrower),
    // panel p holding (rows, its width) contiguously from destination + p·width·rows. A copy, so the
    // width of the moves never changes the bits; `wide` allows 256-bit moves.
    static void PackPanels(float* source, int ld, int rows, int cols, int width, float* destination, bool wide)
    {
        for (int c0 = 0; c0 < cols; c0 += width)
        {
            int w = Math.Min(width, cols - c0);
            float* dst = destination + (nint)c0 * rows;
            for (int r = 0; r < rows; r++)
            {
                float* src = source + (nint)r * ld + c0;
                int c = 0;
                if (wide)
                    for (; c + 8 <= w; c += 8) Vector256.Store(Vector256.Load(src + c), dst + c);
                for (; c + 4 <= w; c += 4) Vector128.Store(Vector128.Load(src + c), dst + c);
                for (; c < w; c++) dst[c] = src[c];
                dst += w;
            }
        }
    }
}

// δ walks the rows with dStride, x is a packed panel of one or two vectors' columns; dW is the tile's corner, row stride ldw.
/// <summary>One path's register tiles for <see cref="LeafOuterProducts"/>: MR rows (or 1) by two vectors (or one).</summary>
internal unsafe interface ILeafTiles
{
    static abstract int MR { get; }
    static abstract int Lanes { get; }
    /// <summary>Bytes of δ one group of outputs may hold, so it stays in L2 under the x panels (int.MaxValue: one group).</summary>
    static abstract int DeltaBlockBytes { get; }
    static abstract void Tile<TRound>(bool full, bool two, float* delta, int dStride, float* x, int* bounds, int leaves, float* dW, int ldw, float* stack)
        where TRound : struct, ILeafRounding;
}

/// <summary>Constant tile sizes, so the JIT keeps exactly the live accumulators in registers and drops the rest.</summary>
internal interface ILeafRows { static abstract bool Full { get; } }
internal struct LeafFullRows : ILeafRows { public static bool Full => true; }
internal struct LeafOneRow : ILeafRows { public static bool Full => false; }
internal interface ILeafCols { static abstract bool Two { get; } }
internal struct LeafTwoVectors : ILeafCols { public static bool Two => true; }
internal struct LeafOneVector : ILeafCols { public static bool Two => false; }

/// <summary>
/// How a tile forms its tree nodes (<see cref="GradientPrecision"/>): as floats; rounded to bfloat16 in
/// registers; or rounded to bfloat16 in memory (<see cref="LeafRounding"/>).
/// </summary>
internal interface ILeafRounding
{
    static abstract GradientPrecision Precision { get; }
    /// <summary>A value as it is formed, in registers (the identity where nothing is rounded there).</summary>
    static abstract Vector128<float> Round(Vector128<float> v);
    static abstract Vector256<float> Round(Vector256<float> v);
    static abstract Vector512<float> Round(Vector512<float> v);
    /// <summary>Each leaf goes through the stack to be rounded and merged there.</summary>
    static abstract bool InMemory { get; }
}
internal struct LeafExact : ILeafRounding
{
    public static GradientPrecision Precision => GradientPrecision.Float32;
    public static Vector128<float> Round(Vector128<float> v) => v;
    public static Vector256<float> Round(Vector256<float> v) => v;
    public static Vector512<float> Round(Vector512<float> v) => v;
    public static bool InMemory => false;
}

/// <summary>
/// bfloat16 in registers, as <see cref="BFloat16.Round(float)"/> but for NaN: the float bits plus 0x7FFF
/// (0x8000 when the kept part is odd), the low half cleared. Three constants beside the twelve
/// accumulators, and no cost at 32 rows a leaf. It differs from the definition only for a NaN whose
/// payload fills the kept mantissa bits; with finite δ and x the only NaN a tile can make is the CPU's
/// default NaN (Inf − Inf; x86 0xFFC00000, ARM64 0x7FC00000), which both round alike. So it runs only
/// where every input is finite.
/// </summary>
internal struct LeafBf16Finite : ILeafRounding
{
    public static GradientPrecision Precision => GradientPrecision.BFloat16;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Round(Vector128<float> v)
    {
        var u = v.AsUInt32();
        return ((u + (Vector128.Create(0x7FFFu) + ((u >> 16) & Vector128<uint>.One))) & Vector128.Create(0xFFFF0000u)).AsSingle();
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Round(Vector256<float> v)
    {
        var u = v.AsUInt32();
        return ((u + (Vector256.Create(0x7FFFu) + ((u >> 16) & Vector256<uint>.One))) & Vector256.Create(0xFFFF0000u)).AsSingle();
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round(Vector512<float> v)
    {
        var u = v.AsUInt32();
        return ((u + (Vector512.Create(0x7FFFu) + ((u >> 16) & Vector512<uint>.One))) & Vector512.Create(0xFFFF0000u)).AsSingle();
    }
    public static bool InMemory => false;
}

/// <summary>bfloat16 exactly as <see cref="BFloat16.Round(float)"/>, NaN kept a NaN, merged in memory: for inputs that are not all finite.</summary>
internal struct LeafBf16 : ILeafRounding
{
    public static GradientPrecision Precision => GradientPrecision.BFloat16;
    public static Vector128<float> Round(Vector128<float> v) => v;
    public static Vector256<float> Round(Vector256<float> v) => v;
    public static Vector512<float> Round(Vector512<float> v) => v;
    public static bool InMemory => true;
}

/// <summary>
/// The bfloat16 tiles' merges, shared by every path: a tile's stack holds one slot per pending node, the
/// leaf just computed in the slot above them. Elementwise, so the bits do not depend on the path.
/// </summary>
internal static unsafe class LeafRounding
{
    // leaf is the slot of `size` floats the tile just stored; slots below it are its pending left siblings.
    /// <summary>
    /// Rounds the leaf, merges it with its <paramref name="closes"/> pending left siblings (each sum rounded),
    /// and returns the new top of the stack, past the merged node; the last leaf's node goes to dW instead.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float* Close(float* leaf, int size, int closes, bool last, int stride, int rows, int width, float* dW, int ldw)
    {
        // The tree's own operations (SubtreeReducer.Combine, BFloat16.Round): this path runs only for
        // inputs that are not all finite, so it need not be fast.
        float* node = leaf;
        BFloat16.Round(new Span<float>(node, size));
        for (; closes > 0; closes--)
        {
            float* right = node;
            node -= size;
            SubtreeReducer.Combine(new Span<float>(node, size), new ReadOnlySpan<float>(right, size), size);
        }
        if (!last) return node + size;
        for (int r = 0; r < rows; r++) new Span<float>(node + (nint)r * stride, width).CopyTo(new Span<float>(dW + (nint)r * ldw, width));
        return node;
    }
}
