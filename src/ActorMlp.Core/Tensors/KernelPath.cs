namespace ActorMlp.Core.Tensors;

/// <summary>
/// The vector width every hot loop runs at. All paths sum in the same order with the same fused
/// operations, so on a CPU with hardware FMA they give the same bits; they differ only in speed.
/// </summary>
public enum KernelPath
{
    /// <summary>128-bit vectors with FusedMultiplyAdd: what ARM64 (NEON) runs, and any x86 without AVX2.</summary>
    Vector128,
    /// <summary>256-bit vectors with FMA3 (Haswell, Zen and later).</summary>
    Avx2,
    /// <summary>512-bit vectors (AVX-512F).</summary>
    Avx512,
}
