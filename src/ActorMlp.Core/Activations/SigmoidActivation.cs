using System.Numerics.Tensors;

namespace ActorMlp.Core.Activations;

/// <summary>a = 1 / (1 + e^−z); f'(z) = a(1 − a).</summary>
internal sealed class SigmoidActivation : IActivation
{
    public int Pieces => 1;

    public void Forward(ReadOnlySpan<float> z, Span<float> a)
    {
        ElementwiseKernels.Map<SigmoidLanes>(z, a);   // the project's own sigmoid: the same bits on every path
    }

    public void Backward(Span<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> dA, Span<float> dZ)
    {
        if (z.IsEmpty) return;
        TensorPrimitives.Subtract(1f, a, z);   // z ← 1 − a
        TensorPrimitives.Multiply(z, a, z);    // z ← a(1 − a)
        TensorPrimitives.Multiply(dA, z, dZ);
    }
}
