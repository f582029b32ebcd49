using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ActorMlp.Core.Numerics;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Activations;

/// <summary>
/// Elementwise kernels at the width of the process's path (<see cref="ComputeKernel.Current"/>): the
/// widest vectors first, then 128-bit ones, and the last few elements through one 128-bit vector
/// padded with zeros, so the tail is computed by the very lane code of the body.
/// </summary>
internal static class ElementwiseKernels
{
    // destination[i] = z[i] > 0 ? x[i] : slope·x[i]; all spans have the same length; destination may alias x
    public static void SelectPositive(ReadOnlySpan<float> z, ReadOnlySpan<float> x, float slope, Span<float> destination)
    {
        if (x.Length != z.Length || destination.Length < z.Length) throw new ArgumentException("span lengths differ");
        int i = 0, n = z.Length;
        ref float pz = ref MemoryMarshal.GetReference(z), px = ref MemoryMarshal.GetReference(x), pd = ref MemoryMarshal.GetReference(destination);
        KernelPath path = ComputeKernel.Current;
        if (path == KernelPath.Avx512)
            for (; i <= n - 16; i += 16)
            {
                var vx = Vector512.LoadUnsafe(ref px, (nuint)i);
                Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.LoadUnsafe(ref pz, (nuint)i), Vector512<float>.Zero), vx, vx * slope).StoreUnsafe(ref pd, (nuint)i);
            }
        if (path >= KernelPath.Avx2)
            for (; i <= n - 8; i += 8)
            {
                var vx = Vector256.LoadUnsafe(ref px, (nuint)i);
                Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.LoadUnsafe(ref pz, (nuint)i), Vector256<float>.Zero), vx, vx * slope).StoreUnsafe(ref pd, (nuint)i);
            }
        for (; i <= n - 4; i += 4)
        {
            var vx = Vector128.LoadUnsafe(ref px, (nuint)i);
            Vector128.ConditionalSelect(Vector128.GreaterThan(Vector128.LoadUnsafe(ref pz, (nuint)i), Vector128<float>.Zero), vx, vx * slope).StoreUnsafe(ref pd, (nuint)i);
        }
        for (; i < n; i++) destination[i] = z[i] > 0f ? x[i] : slope * x[i];
    }

    /// <summary>destination[i] = f(x[i]) for a lane-wise function; destination may alias x.</summary>
    public static void Map<TOp>(ReadOnlySpan<float> x, Span<float> destination) where TOp : struct, ILaneFunction
    {
        if (destination.Length < x.Length) throw new ArgumentException("destination is shorter than the source", nameof(destination));
        int i = 0, n = x.Length;
        ref float px = ref MemoryMarshal.GetReference(x), pd = ref MemoryMarshal.GetReference(destination);
        KernelPath path = ComputeKernel.Current;
        if (path == KernelPath.Avx512)
            for (; i <= n - 16; i += 16) TOp.Invoke(Vector512.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        if (path >= KernelPath.Avx2)
            for (; i <= n - 8; i += 8) TOp.Invoke(Vector256.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        for (; i <= n - 4; i += 4) TOp.Invoke(Vector128.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref pd, (nuint)i);
        if (i < n)
        {
            var padded = Vector128<float>.Zero;
            ref float lanes = ref Unsafe.As<Vector128<float>, float>(ref padded);
            for (int j = 0; i + j < n; j++) Unsafe.Add(ref lanes, j) = x[i + j];
            padded = TOp.Invoke(padded);
            for (int j = 0; i + j < n; j++) destination[i + j] = Unsafe.Add(ref lanes, j);
        }
    }
}

/// <summary>A function applied lane by lane, the same operations at every width.</summary>
internal interface ILaneFunction
{
    static abstract Vector128<float> Invoke(Vector128<float> x);
    static abstract Vector256<float> Invoke(Vector256<float> x);
    static abstract Vector512<float> Invoke(Vector512<float> x);
}

internal struct SigmoidLanes : ILaneFunction
{
    public static Vector128<float> Invoke(Vector128<float> x) => DeterministicMath.Sigmoid(x);
    public static Vector256<float> Invoke(Vector256<float> x) => DeterministicMath.Sigmoid(x);
    public static Vector512<float> Invoke(Vector512<float> x) => DeterministicMath.Sigmoid(x);
}

internal struct TanhLanes : ILaneFunction
{
    public static Vector128<float> Invoke(Vector128<float> x) => DeterministicMath.Tanh(x);
    public static Vector256<float> Invoke(Vector256<float> x) => DeterministicMath.Tanh(x);
    public static Vector512<float> Invoke(Vector512<float> x) => DeterministicMath.Tanh(x);
}

/// <summary>z·σ(z) (Swish, SiLU).</summary>
internal struct SwishLanes : ILaneFunction
{
    public static Vector128<float> Invoke(Vector128<float> x) => x * DeterministicMath.Sigmoid(x);
    public static Vector256<float> Invoke(Vector256<float> x) => x * DeterministicMath.Sigmoid(x);
    public static Vector512<float> Invoke(Vector512<float> x) => x * DeterministicMath.Sigmoid(x);
}
