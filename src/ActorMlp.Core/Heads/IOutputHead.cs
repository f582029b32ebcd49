using ActorMlp.Core.Model;

namespace ActorMlp.Core.Heads;

/// <summary>
/// The output layer's function and its loss, forward and backward together.
/// Targets are class indices (as floats) for the classification heads and K values per row for MSE.
/// </summary>
internal interface IOutputHead
{
    /// <summary>Floats of target per sample.</summary>
    int TargetWidth { get; }

    // logits is (rows, K), targets is (rows, TargetWidth), delta is (rows, K) or empty when no gradient is wanted.
    // Returns the summed (not averaged) loss; delta is ∂(summed loss)/∂logits.
    double Loss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, Span<float> delta, out int correct);

    // logits is (K), outputs is (K): class probabilities, or the regression values.
    void Predict(ReadOnlySpan<float> logits, Span<float> outputs);
}

internal static class OutputHead
{
    public static IOutputHead Create(ModelSpec spec) => spec.Head switch
    {
        HeadKind.SoftmaxCrossEntropy => new SoftmaxCrossEntropyHead(spec.Outputs),
        HeadKind.SigmoidLogLoss => new SigmoidLogLossHead(),
        _ => new LinearMseHead(spec.Outputs),
    };
}
