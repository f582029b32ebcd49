namespace ActorMlp.Core.Heads;

/// <summary>
/// Softmax over K logits with cross-entropy on the one-hot target, from the logits:
/// loss = logΣexp(z) − z_y computed with the max subtracted (log-sum-exp), δ = softmax(z) − onehot(y).
/// </summary>
public sealed class SoftmaxCrossEntropyHead(int classes) : IOutputHead
{
    public int TargetWidth => 1;

    // logits is (rows, K), targets is (rows), delta is (rows, K) or empty
    public double Loss(ReadOnlySpan<float> logits, ReadOnlySpan<float> targets, int rows, Span<float> delta, out int correct)
    {
        double loss = 0;
        correct = 0;
        for (int r = 0; r < rows; r++)
        {
            var z = logits.Slice(r * classes, classes);
            int y = (int)targets[r];
            int arg = 0;
            for (int j = 1; j < classes; j++)
                if (z[j] > z[arg]) arg = j;
            if (arg == y) correct++;

            float max = z[arg];
            float sum = 0f;
            for (int j = 0; j < classes; j++) sum += MathF.Exp(z[j] - max);
            float lse = max + MathF.Log(sum);
            loss += lse - z[y];

            if (delta.IsEmpty) continue;
            var d = delta.Slice(r * classes, classes);
            for (int j = 0; j < classes; j++) d[j] = MathF.Exp(z[j] - lse);
            d[y] -= 1f;
        }
        return loss;
    }

    public void Predict(ReadOnlySpan<float> logits, Span<float> outputs)
    {
        float max = logits[0];
        for (int j = 1; j < classes; j++) max = MathF.Max(max, logits[j]);
        float sum = 0f;
        for (int j = 0; j < classes; j++) sum += outputs[j] = MathF.Exp(logits[j] - max);
        for (int j = 0; j < classes; j++) outputs[j] /= sum;
    }
}
