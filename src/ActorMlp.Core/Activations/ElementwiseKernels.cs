using System.Numerics;

namespace ActorMlp.Core.Activations;

/// <summary>Elementwise kernels TensorPrimitives lacks, vectorized with Vector&lt;float&gt; plus a scalar tail.</summary>
public static class ElementwiseKernels
{
    // destination[i] = z[i] > 0 ? x[i] : slope·x[i]; all spans have the same length; destination may alias x
    public static void SelectPositive(ReadOnlySpan<float> z, ReadOnlySpan<float> x, float slope, Span<float> destination)
    {
        if (x.Length != z.Length || destination.Length < z.Length) throw new ArgumentException("span lengths differ");
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(slope);
            for (; i <= z.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var vz = new Vector<float>(z.Slice(i));
                var vx = new Vector<float>(x.Slice(i));
                Vector.ConditionalSelect(Vector.GreaterThan(vz, Vector<float>.Zero), vx, vx * s).CopyTo(destination.Slice(i));
            }
        }
        for (; i < z.Length; i++) destination[i] = z[i] > 0f ? x[i] : slope * x[i];
    }
}
