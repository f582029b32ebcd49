namespace ActorMlp.Core.Optim;

/// <summary>
/// Adam (Kingma and Ba 2015) with bias correction, and AdamW (Loshchilov and Hutter 2019):
/// m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − lr·m̂/(√v̂ + ε), with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
/// Adam adds λw to g; AdamW instead shrinks w by lr·λ before the step.
/// </summary>
internal sealed class AdamOptimizer : Optimizer
{
    readonly OptimizerSettings _s;
    readonly bool _decoupled;
    readonly float[] _m, _v;

    public AdamOptimizer(OptimizerSettings s, int parameters)
    {
        _s = s;
        _decoupled = s.Kind == OptimizerKind.AdamW;
        _m = new float[parameters];
        _v = new float[parameters];
    }

    public override float[][] State => [_m, _v];

    private protected override void Apply(Span<float> w, Span<float> g, float lr, float scale, ReadOnlySpan<float> addend, Span<float> copyTo)
    {
        Update(w, g, lr, scale, addend);
        if (!copyTo.IsEmpty) w.CopyTo(copyTo);
    }

    void Update(Span<float> w, Span<float> g, float lr, float scale, ReadOnlySpan<float> addend)
    {
        if (!addend.IsEmpty) System.Numerics.Tensors.TensorPrimitives.Add(g, addend, g);
        if (scale != 1f) System.Numerics.Tensors.TensorPrimitives.Multiply(g, scale, g);
        float b1 = _s.Beta1, b2 = _s.Beta2, eps = _s.Epsilon, decay = _s.WeightDecay;
        float c1 = 1f / (1f - MathF.Pow(b1, Steps));
        float c2 = 1f / (1f - MathF.Pow(b2, Steps));
        var m = _m.AsSpan();
        var v = _v.AsSpan();
        for (int i = 0; i < w.Length; i++)
        {
            float gi = g[i];
            if (_decoupled) w[i] -= lr * decay * w[i];
            else gi += decay * w[i];
            m[i] = b1 * m[i] + (1f - b1) * gi;
            v[i] = b2 * v[i] + (1f - b2) * gi * gi;
            w[i] -= lr * (m[i] * c1) / (MathF.Sqrt(v[i] * c2) + eps);
        }
    }
}
