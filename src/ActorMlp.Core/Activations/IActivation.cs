using ActorMlp.Core.Model;

namespace ActorMlp.Core.Activations;

/// <summary>
/// A hidden-layer nonlinearity a = f(z), forward and backward side by side.
/// z has Pieces values per unit (1 except for maxout), a has one; both are (rows, units) row-major.
/// </summary>
internal interface IActivation
{
    int Pieces { get; }

    // z is (n·Pieces), a is (n)
    void Forward(ReadOnlySpan<float> z, Span<float> a);

    // dZ = dA ⊙ f'(z); z may be overwritten (it is dead after backward); dZ may alias dA when Pieces is 1
    void Backward(Span<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> dA, Span<float> dZ);
}

internal static class Activation
{
    public static IActivation Create(ModelSpec spec) => spec.Activation switch
    {
        ActivationKind.Sigmoid => new SigmoidActivation(),
        ActivationKind.Tanh => new TanhActivation(),
        ActivationKind.Relu => new ReluActivation(),
        ActivationKind.LeakyRelu => new LeakyReluActivation(spec.LeakySlope),
        ActivationKind.Swish => new SwishActivation(),
        ActivationKind.Maxout => new MaxoutActivation(spec.MaxoutPieces),
        _ => throw new ArgumentOutOfRangeException(nameof(spec)),
    };
}
