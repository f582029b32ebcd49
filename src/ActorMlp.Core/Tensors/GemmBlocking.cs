using System.Runtime.Intrinsics.X86;

namespace ActorMlp.Core.Tensors;

internal enum GemmKernelKind
{
    Portable,
    Vector128,
    Avx2,
    Avx512,
}

// Blocks of op(A) are (MC, KC), blocks of op(B) are (KC, NC); micro-tiles of C are (MR, NR).
/// <summary>
/// Cache-block sizes per kernel. The k split depends only on (kernel, k), never on m or n, so a
/// B packed ahead of time (PackedB) lines up with the blocks the plain overload would pack.
/// </summary>
internal readonly struct GemmBlocking
{
    public readonly GemmKernelKind Kind;
    public readonly int MR, NR;
    /// <summary>Upper bound on the k depth of a block: an A micro-panel (MR·KC floats) should stay in L1 while B streams past.</summary>
    public readonly int KC;
    /// <summary>Rows of A packed at once; it only bounds the packing buffer, since each A micro-panel is used up before the next.</summary>
    public readonly int MC;
    /// <summary>Columns of B packed at once: the (KC, NC) block (1 MiB at 256 × 1024) is re-read from L2 for every A micro-panel.</summary>
    public readonly int NC;

    /// <summary>True when op(B) is at most one micro-tile wide: the 16-wide AVX-512 kernel, or the AVX2 kernel reading A in place.</summary>
    public readonly bool Narrow;

    private GemmBlocking(GemmKernelKind kind, int mr, int nr, int kc, int mc, int nc, bool narrow = false)
    {
        Kind = kind; MR = mr; NR = nr; KC = kc; MC = mc; NC = nc; Narrow = narrow;
    }

    /// <summary>The kernel of the process's path (<see cref="ComputeKernel.Current"/>).</summary>
    public static GemmKernelKind BestKind => KindOf(ComputeKernel.Current);

    /// <summary>The GEMM kernel a path runs: on the 128-bit path, the fused kernel where the CPU fuses in hardware.</summary>
    public static GemmKernelKind KindOf(KernelPath path) => path switch
    {
        KernelPath.Avx512 => GemmKernelKind.Avx512,
        KernelPath.Avx2 => GemmKernelKind.Avx2,
        _ => ComputeKernel.HardwareFma ? GemmKernelKind.Vector128 : GemmKernelKind.Portable,
    };

    public static bool IsSupported(GemmKernelKind kind) => kind switch
    {
        GemmKernelKind.Avx512 => ComputeKernel.IsSupported(KernelPath.Avx512),
        GemmKernelKind.Avx2 => ComputeKernel.IsSupported(KernelPath.Avx2),
        GemmKernelKind.Vector128 => ComputeKernel.IsSupported(KernelPath.Vector128) && ComputeKernel.HardwareFma,
        _ => true,
    };

    /// <summary>True for the kernels of the 256- and 512-bit paths, whose packing may use 256-bit moves.</summary>
    public bool Wide => Kind is GemmKernelKind.Avx2 or GemmKernelKind.Avx512;

    /// <summary>
    /// Blocking for a product whose op(B) is n wide. Only the micro-tile shape may depend on n; KC never
    /// does, and every FMA kernel sums each element in the same order, so the choice never changes the bits.
    /// </summary>
    public static GemmBlocking For(GemmKernelKind kind, int n) => kind switch
    {
        GemmKernelKind.Avx512 when n <= GemmKernelAvx512Narrow.NR =>
            new(kind, GemmKernelAvx512Narrow.MR, GemmKernelAvx512Narrow.NR, kc: 256, mc: 192, nc: 1024, narrow: true),
        GemmKernelKind.Avx512 => new(kind, GemmKernelAvx512.MR, GemmKernelAvx512.NR, kc: 256, mc: 192, nc: 1024),
        GemmKernelKind.Avx2 when n <= GemmKernelAvx2.NR =>
            new(kind, GemmKernelAvx2.MR, GemmKernelAvx2.NR, kc: 256, mc: 192, nc: 1024, narrow: true),
        GemmKernelKind.Avx2 => new(kind, GemmKernelAvx2.MR, GemmKernelAvx2.NR, kc: 256, mc: 192, nc: 1024),
        GemmKernelKind.Vector128 => new(kind, GemmKernelVector128.MR, GemmKernelVector128.NR, kc: 256, mc: 192, nc: 1024),
        _ => new(kind, GemmKernelPortable.MR, GemmKernelPortable.NR, kc: 256, mc: 128, nc: 1024),
    };

    /// <summary>
    /// Depth of every k block but possibly the last. Splitting k evenly (300 → 150 + 150, not 256 + 44)
    /// keeps every block's packing and store cost amortised over a deep enough sum.
    /// </summary>
    public int KcStep(int k)
    {
        int blocks = (k + KC - 1) / KC;
        return (k + blocks - 1) / blocks;
    }

    public int PaddedN(int n) => (n + NR - 1) / NR * NR;
}
