namespace ActorMlp.Core.Heads;

/// <summary>
/// Linear outputs with mean squared error: per sample loss = (1/K) Σ_j (z_j − t_j)², δ = 2(z − t)/K.
/// </summary>
internal sealed class LinearMseHead(int outputs) : IOutputHead
{
    public int TargetWidth => outputs;

    // logits is (rows, K), targets is (rows, K), delta is (rows, K) or empty
    public double Loss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, Span<float> delta, out int correct)
    {
        correct = 0;
        double loss = 0;
        float inverse = 1f / outputs;
        int n = rows * outputs;
        for (int i = 0; i < n; i++)
        {
            float e = logits[i] - targets[i];
            loss += (double)e * e * inverse;
            if (!delta.IsEmpty) delta[i] = 2f * e * inverse;
        }
        return loss;
    }

    public void Predict(ReadOnlySpan<float> logits, Span<float> outputs) => logits.Slice(0, outputs.Length).CopyTo(outputs);
}
