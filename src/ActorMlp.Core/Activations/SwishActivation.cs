namespace ActorMlp.Core.Activations;

/// <summary>a = z·σ(z) (Swish, SiLU); f'(z) = σ + a(1 − σ).</summary>
internal sealed class SwishActivation : IActivation
{
    public int Pieces => 1;

    public void Forward(ReadOnlySpan<float> z, Span<float> a)
    {
        ElementwiseKernels.Map<SwishLanes>(z, a);     // the project's own sigmoid: the same bits on every path
    }

    public void Backward(Span<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> dA, Span<float> dZ)
    {
        if (z.IsEmpty) return;
        ElementwiseKernels.Map<SigmoidLanes>(z, z);   // z ← σ
        for (int i = 0; i < z.Length; i++)
        {
            float s = z[i];
            dZ[i] = dA[i] * (s + a[i] * (1f - s));
        }
    }
}
