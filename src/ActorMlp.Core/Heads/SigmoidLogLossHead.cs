using ActorMlp.Core.Numerics;

namespace ActorMlp.Core.Heads;

/// <summary>
/// One sigmoid output with log loss (binary cross-entropy) in its stable form,
/// loss = max(z, 0) − z·y + log(1 + e^−|z|), never log(σ(z)); δ = σ(z) − y.
/// </summary>
internal sealed class SigmoidLogLossHead : IOutputHead
{
    public int TargetWidth => 1;

    // logits is (rows, 1), targets is (rows) in {0, 1}, delta is (rows, 1) or empty
    public double Loss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, Span<float> delta, out int correct)
    {
        double loss = 0;
        correct = 0;
        for (int r = 0; r < rows; r++)
        {
            float z = logits[r], y = targets[r];
            loss += MathF.Max(z, 0f) - z * y + DeterministicMath.Log(1f + DeterministicMath.Exp(-MathF.Abs(z)));
            if ((z > 0f ? 1f : 0f) == y) correct++;
            if (!delta.IsEmpty) delta[r] = Sigmoid(z) - y;
        }
        return loss;
    }

    public void Predict(ReadOnlySpan<float> logits, Span<float> outputs) => outputs[0] = Sigmoid(logits[0]);

    static float Sigmoid(float z) => z >= 0f ? 1f / (1f + DeterministicMath.Exp(-z)) : DeterministicMath.Exp(z) / (1f + DeterministicMath.Exp(z));
}
