using System.Numerics.Tensors;

namespace ActorMlp.Core.Activations;

/// <summary>a = tanh z; f'(z) = 1 − a².</summary>
internal sealed class TanhActivation : IActivation
{
    public int Pieces => 1;

    public void Forward(ReadOnlySpan<float> z, Span<float> a)
    {
        ElementwiseKernels.Map<TanhLanes>(z, a);      // the project's own tanh: the same bits on every path
    }

    public void Backward(Span<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> dA, Span<float> dZ)
    {
        if (z.IsEmpty) return;
        TensorPrimitives.Multiply(a, a, z);    // z ← a²
        TensorPrimitives.Subtract(1f, z, z);   // z ← 1 − a²
        TensorPrimitives.Multiply(dA, z, dZ);
    }
}
