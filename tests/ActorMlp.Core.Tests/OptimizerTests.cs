using ActorMlp.Core.Optim;

namespace ActorMlp.Core.Tests;

/// <summary>Each optimizer against steps worked out by hand on two parameters.</summary>
public class OptimizerTests
{
    static float[] Run(OptimizerSettings settings, float lr, float[] w, params float[][] gradients)
    {
        var optimizer = Optimizer.Create(settings, w.Length);
        foreach (var g in gradients) optimizer.Step(w, (float[])g.Clone(), lr);
        return w;
    }

    [Fact]
    public void Sgd_steps_against_the_gradient()
    {
        var w = Run(new OptimizerSettings(OptimizerKind.Sgd, Momentum: 0f), 0.1f, [1f, -2f], [0.5f, -1f]);
        Assert.Equal(0.95f, w[0], 6);
        Assert.Equal(-1.9f, w[1], 6);
    }

    [Fact]
    public void Momentum_accumulates_velocity()
    {
        // v1 = g1 = 1; w1 = 1 − 0.1·1 = 0.9. v2 = 0.9·1 + 2 = 2.9; w2 = 0.9 − 0.29 = 0.61.
        var w = Run(new OptimizerSettings(OptimizerKind.Momentum, Momentum: 0.9f), 0.1f, [1f], [1f], [2f]);
        Assert.Equal(0.61f, w[0], 6);
        // Kind sgd with momentum is the same heavy-ball rule, as in torch.optim.SGD.
        Assert.Equal(0.61f, Run(new OptimizerSettings(OptimizerKind.Sgd, Momentum: 0.9f), 0.1f, [1f], [1f], [2f])[0], 6);
    }

    [Fact]
    public void Nesterov_looks_ahead()
    {
        // v1 = 1; w1 = 1 − 0.1·(1 + 0.9·1) = 0.81. v2 = 0.9 + 2 = 2.9; w2 = 0.81 − 0.1·(2 + 0.9·2.9) = 0.349.
        var w = Run(new OptimizerSettings(OptimizerKind.Nesterov, Momentum: 0.9f), 0.1f, [1f], [1f], [2f]);
        Assert.Equal(0.349f, w[0], 5);
    }

    [Fact]
    public void Weight_decay_adds_an_L2_term_to_sgd()
    {
        // g' = 0.5 + 0.1·2 = 0.7; w = 2 − 0.1·0.7 = 1.93.
        var w = Run(new OptimizerSettings(OptimizerKind.Sgd, Momentum: 0f, WeightDecay: 0.1f), 0.1f, [2f], [0.5f]);
        Assert.Equal(1.93f, w[0], 6);
    }

    [Fact]
    public void Adam_first_step_moves_by_the_learning_rate()
    {
        // m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g).
        var w = Run(new OptimizerSettings(OptimizerKind.Adam), 0.01f, [1f, 1f], [3f, -0.2f]);
        Assert.Equal(0.99f, w[0], 5);
        Assert.Equal(1.01f, w[1], 5);
    }

    [Fact]
    public void Adam_second_step_uses_bias_corrected_moments()
    {
        // g = 1 then 2, β₁ = 0.9, β₂ = 0.999. m2 = 0.09 + 0.2 = 0.29, m̂ = 0.29/0.19;
        // v2 = 0.000999 + 0.004 = 0.004999, v̂ = 0.004999/0.001999. Step 2 = 0.1·m̂/√v̂.
        double mHat = 0.29 / 0.19, vHat = 0.004999 / (1 - 0.999 * 0.999);
        double expected = 1 - 0.1 - 0.1 * mHat / (Math.Sqrt(vHat) + 1e-8);
        var w = Run(new OptimizerSettings(OptimizerKind.Adam), 0.1f, [1f], [1f], [2f]);
        Assert.Equal(expected, w[0], 4);
    }

    [Fact]
    public void AdamW_decays_weights_apart_from_the_gradient()
    {
        // w ← w − lr·λ·w = 2 − 0.1·0.5·2 = 1.9, then the Adam step of lr·sign(g) = 0.1: 1.8.
        var adamw = Run(new OptimizerSettings(OptimizerKind.AdamW, WeightDecay: 0.5f), 0.1f, [2f], [1f]);
        Assert.Equal(1.8f, adamw[0], 5);
        // Adam instead folds λw into g: g' = 1 + 1 = 2, and the first step is still lr·sign(g') = 0.1.
        var adam = Run(new OptimizerSettings(OptimizerKind.Adam, WeightDecay: 0.5f), 0.1f, [2f], [1f]);
        Assert.Equal(1.9f, adam[0], 5);
    }

    [Fact]
    public void Optimizer_state_is_what_a_checkpoint_needs_to_resume()
    {
        var settings = new OptimizerSettings(OptimizerKind.Adam);
        var a = Optimizer.Create(settings, 1);
        var w = new float[] { 1f };
        a.Step(w, [1f], 0.1f);
        var b = Optimizer.Create(settings, 1);
        for (int i = 0; i < a.State.Length; i++) a.State[i].CopyTo(b.State[i], 0);
        b.Steps = a.Steps;
        var w2 = (float[])w.Clone();
        a.Step(w, [2f], 0.1f);
        b.Step(w2, [2f], 0.1f);
        Assert.Equal(w, w2);
    }

    [Theory]
    [InlineData(OptimizerKind.Sgd, 0f, 0f)]
    [InlineData(OptimizerKind.Momentum, 0.9f, 0f)]
    [InlineData(OptimizerKind.Nesterov, 0.9f, 0.01f)]
    public void Sgd_gives_every_position_the_same_bits_vector_lanes_and_tail_alike(OptimizerKind kind, float momentum, float decay)
    {
        // 37 = two 16-wide vectors and a scalar tail of 5: every element starts equal, so all must end equal.
        const int n = 37;
        var optimizer = Optimizer.Create(new OptimizerSettings(kind, Momentum: momentum, WeightDecay: decay), n);
        var w = Enumerable.Repeat(0.3f, n).ToArray();
        for (int step = 0; step < 3; step++)
            optimizer.Step(w, Enumerable.Repeat(1.7f + step, n).ToArray(), 0.05f, gradientScale: 1f / 3);
        Assert.All(w, x => Assert.Equal(BitConverter.SingleToInt32Bits(w[0]), BitConverter.SingleToInt32Bits(x)));
        Assert.NotEqual(0.3f, w[0]);
    }

    [Fact]
    public void Sgd_scales_the_gradient_before_it_reaches_the_velocity()
    {
        // A summed gradient of 3 over a batch of 3 is a mean of 1: the same step as Momentum_accumulates_velocity's first.
        var optimizer = Optimizer.Create(new OptimizerSettings(OptimizerKind.Momentum, Momentum: 0.9f), 1);
        float[] w = [1f];
        optimizer.Step(w, [3f], 0.1f, gradientScale: 1f / 3);
        Assert.Equal(0.9f, w[0], 6);
    }

    [Theory]
    [InlineData(OptimizerKind.Momentum)]
    [InlineData(OptimizerKind.Nesterov)]
    [InlineData(OptimizerKind.Adam)]
    public void A_gradient_given_in_two_halves_steps_bit_for_bit_like_its_sum_and_copies_the_weights(OptimizerKind kind)
    {
        var rng = new Random(9);
        const int n = 37;
        float[] left = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] right = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble() - 0.5f).ToArray();
        float[] sum = left.Zip(right, (a, b) => a + b).ToArray();
        var settings = new OptimizerSettings(kind, Momentum: 0.9f, WeightDecay: 0.01f);
        var (halves, whole) = (Optimizer.Create(settings, n), Optimizer.Create(settings, n));
        float[] w1 = Enumerable.Repeat(0.25f, n).ToArray(), w2 = (float[])w1.Clone();

        var copy = new float[n];
        for (int step = 0; step < 2; step++)
        {
            halves.Step(w1, (float[])left.Clone(), 0.05f, 1f / 7, right, copy);
            whole.Step(w2, (float[])sum.Clone(), 0.05f, 1f / 7);
        }

        Assert.Equal(w2.Select(BitConverter.SingleToInt32Bits), w1.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(w1, copy); // the outgoing copy is written in the same pass
    }
}
