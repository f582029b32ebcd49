namespace ActorMlp.Core.Activations;

/// <summary>a = z where z &gt; 0, else slope·z; f'(z) = 1 or slope.</summary>
internal sealed class LeakyReluActivation(float slope) : IActivation
{
    public int Pieces => 1;

    public void Forward(ReadOnlySpan<float> z, Span<float> a) => ElementwiseKernels.SelectPositive(z, z, slope, a);

    public void Backward(Span<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> dA, Span<float> dZ)
        => ElementwiseKernels.SelectPositive(z, dA, slope, dZ);
}
