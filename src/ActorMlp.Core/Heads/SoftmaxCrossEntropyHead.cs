using ActorMlp.Core.Numerics;

namespace ActorMlp.Core.Heads;

/// <summary>
/// Softmax over K logits with cross-entropy on the one-hot target, from the logits:
/// loss = logΣexp(z) − z_y computed with the max subtracted (log-sum-exp), δ = softmax(z) − onehot(y).
/// exp and log are the project's own (DeterministicMath), so δ has the same bits on every CPU.
/// </summary>
internal sealed class SoftmaxCrossEntropyHead(int classes) : IOutputHead
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
            for (int j = 0; j < classes; j++) sum += DeterministicMath.Exp(z[j] - max);
            float lse = max + DeterministicMath.Log(sum);
            loss += lse - z[y];

            if (delta.IsEmpty) continue;
            var d = delta.Slice(r * classes, classes);
            for (int j = 0; j < classes; j++) d[j] = DeterministicMath.Exp(z[j] - lse);
            d[y] -= 1f;
        }
        return loss;
    }

    public void Predict(ReadOnlySpan<float> logits, Span<float> outputs)
    {
        float max = logits[0];
        for (int j = 1; j < classes; j++) max = MathF.Max(max, logits[j]);
        float sum = 0f;
        for (int j = 0; j < classes; j++) sum += outputs[j] = DeterministicMath.Exp(logits[j] - max);
        for (int j = 0; j < classes; j++) outputs[j] /= sum;
    }
}
