namespace ActorMlp.Core.Activations;

/// <summary>
/// Maxout with k pieces: unit u keeps the largest of z[u·k .. u·k+k−1]; the gradient flows only to
/// that piece (the first one on ties, so forward and backward agree).
/// </summary>
internal sealed class MaxoutActivation(int pieces) : IActivation
{
    public int Pieces => pieces;

    // z is (n·k), a is (n)
    public void Forward(ReadOnlySpan<float> z, Span<float> a)
    {
        for (int u = 0; u < a.Length; u++)
        {
            var group = z.Slice(u * pieces, pieces);
            float best = group[0];
            for (int p = 1; p < pieces; p++)
                if (group[p] > best) best = group[p];
            a[u] = best;
        }
    }

    // dA is (n), dZ is (n·k); dZ must not alias dA
    public void Backward(Span<float> z, ReadOnlySpan<float> a, ReadOnlySpan<float> dA, Span<float> dZ)
    {
        for (int u = 0; u < a.Length; u++)
        {
            var group = z.Slice(u * pieces, pieces);
            int arg = 0;
            for (int p = 1; p < pieces; p++)
                if (group[p] > group[arg]) arg = p;
            var dGroup = dZ.Slice(u * pieces, pieces);
            dGroup.Clear();
            dGroup[arg] = dA[u];
        }
    }
}
