using System.Numerics.Tensors;

namespace ActorMlp.Core.Activations;

/// <summary>a = max(z, 0); f'(z) = 1 where z &gt; 0, else 0 (0 at z = 0, as PyTorch).</summary>
internal sealed class ReluActivation : IActivation
{
    public int Pieces => 1;

    public void Forward(ReadOnlySpan<float> z, Span<float> a) => TensorPrimitives.Max(z, 0f, a);

    public void Backward(Span<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> dA, Span<float> dZ)
        => ElementwiseKernels.SelectPositive(z, dA, 0f, dZ);
}
