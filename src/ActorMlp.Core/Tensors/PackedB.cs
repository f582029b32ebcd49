namespace ActorMlp.Core.Tensors;

// op(B) is (k, n): B is stored (k, n) with row stride ldb, or (n, k) when transB.
/// <summary>
/// A right-hand GEMM operand packed once and reused, for a weight matrix that meets many small
/// A blocks in one training step. Its layout is exactly what the plain overload packs per call,
/// block after block, so results are bitwise equal. Storage is kept and reused by later Pack calls
/// that fit, so re-packing the same layer each step allocates nothing. Several threads may multiply
/// with one instance at once; Pack must not run while any of them does.
/// </summary>
internal sealed unsafe class PackedB
{
    private AlignedBuffer? _buffer;

    /// <summary>Packs for the kernel of the process's path (<see cref="ComputeKernel.Current"/>).</summary>
    public PackedB() : this(GemmBlocking.BestKind) { }

    internal PackedB(GemmKernelKind kind) => Kind = kind;

    /// <summary>Depth of op(B): rows of op(B).</summary>
    public int K { get; private set; }

    /// <summary>Columns of op(B), and so of C.</summary>
    public int N { get; private set; }

    internal GemmKernelKind Kind { get; }

    internal float* Pointer => _buffer is null ? null : _buffer.Pointer;

    /// <summary>Packs op(B); the layout (k blocks of KcStep(k) depth, each as NR-wide panels across all of n) mirrors Gemm's per-call packing.</summary>
    public void Pack(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        Gemm.CheckOperand(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b));

        GemmBlocking blk = GemmBlocking.For(Kind, n);
        int paddedN = blk.PaddedN(n);
        long floats = (long)k * paddedN;
        if (floats > Array.MaxLength - 64)
            throw new ArgumentException($"op(B) of ({k}, {n}) is too large to pack into one array.", nameof(b));
        float* dst = AlignedBuffer.Ensure(ref _buffer, Math.Max(1, (int)floats));
        K = k;
        N = n;
        if (k == 0 || n == 0) return;

        int kcStep = blk.KcStep(k);
        fixed (float* pb = b)
            for (int pc = 0; pc < k; pc += kcStep)
            {
                int kc = Math.Min(kcStep, k - pc);
                GemmPacking.PackB(transB, pb, ldb, 0, n, pc, kc, blk.NR, dst + (nint)pc * paddedN, blk.Wide);
            }
    }
}
