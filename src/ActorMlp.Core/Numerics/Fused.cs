using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Numerics;

/// <summary>
/// a·b + c as every kernel computes it: one rounding where the CPU fuses in hardware, a product
/// then a sum where it does not (<see cref="ComputeKernel.NumericClass"/>). The same choice for a
/// scalar and for every lane of every width, so a vector body and its scalar tail agree bit for bit.
/// </summary>
internal static class Fused
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MulAdd(float a, float b, float c)
        => ComputeKernel.HardwareFma ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c)
        => ComputeKernel.HardwareFma ? Vector128.FusedMultiplyAdd(a, b, c) : a * b + c;

    // The wider paths exist only on CPUs with FMA (ComputeKernel.IsSupported), so they always fuse.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c)
        => Vector512.FusedMultiplyAdd(a, b, c);
}
