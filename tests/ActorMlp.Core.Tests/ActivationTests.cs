using ActorMlp.Core.Activations;

namespace ActorMlp.Core.Tests;

public class ActivationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(17)]
    [InlineData(33)]
    public void SelectPositive_matches_scalar_for_every_length(int n)
    {
        var random = new Random(n);
        var z = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var x = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        var y = new float[n];
        ElementwiseKernels.SelectPositive(z, x, 0.25f, y);
        for (int i = 0; i < n; i++) Assert.Equal(z[i] > 0 ? x[i] : 0.25f * x[i], y[i]);
    }

    [Fact]
    public void Relu_passes_no_gradient_at_zero()
    {
        var relu = new ReluActivation();
        var dz = new float[3];
        relu.Backward(new float[] { -1f, 0f, 2f }, new float[] { 0f, 0f, 2f }, new float[] { 5f, 5f, 5f }, dz);
        Assert.Equal(new[] { 0f, 0f, 5f }, dz);
    }

    [Fact]
    public void Maxout_keeps_the_largest_piece_and_routes_gradient_to_it()
    {
        var maxout = new MaxoutActivation(3);
        float[] z = [1f, 5f, 2f, -1f, -3f, -1f];
        var a = new float[2];
        maxout.Forward(z, a);
        Assert.Equal(new[] { 5f, -1f }, a);
        var dz = new float[6];
        maxout.Backward(z, a, new float[] { 2f, 3f }, dz);
        Assert.Equal(new[] { 0f, 2f, 0f, 3f, 0f, 0f }, dz); // a tie goes to the first piece
    }
}
