using ActorMlp.Core.Heads;

namespace ActorMlp.Core.Tests;

public class HeadTests
{
    [Fact]
    public void Cross_entropy_is_stable_for_huge_logits()
    {
        var head = new SoftmaxCrossEntropyHead(3);
        var delta = new float[3];
        double loss = head.Loss([1000f, -1000f, 0f], [1f], 1, delta, out int correct);
        Assert.Equal(2000.0, loss, 3);
        Assert.Equal(0, correct);
        Assert.Equal(new[] { 1f, -1f, 0f }, delta);
    }

    [Fact]
    public void Cross_entropy_of_uniform_logits_is_log_k()
    {
        var head = new SoftmaxCrossEntropyHead(4);
        double loss = head.Loss([0.5f, 0.5f, 0.5f, 0.5f], [2f], 1, default, out _);
        Assert.Equal(Math.Log(4), loss, 5);
    }

    [Fact]
    public void Log_loss_is_stable_at_both_extremes()
    {
        var head = new SigmoidLogLossHead();
        var delta = new float[2];
        double loss = head.Loss([100f, -100f], [0f, 1f], 2, delta, out int correct);
        Assert.Equal(200.0, loss, 3);
        Assert.Equal(0, correct);
        Assert.Equal(1f, delta[0], 5);
        Assert.Equal(-1f, delta[1], 5);
        Assert.Equal(Math.Log(2), head.Loss([0f], [1f], 1, default, out _), 6);
    }

    [Fact]
    public void Mse_averages_over_outputs_and_sums_over_rows()
    {
        var head = new LinearMseHead(2);
        double loss = head.Loss([1f, 3f, 0f, 0f], [0f, 1f, 0f, 2f], 2, default, out _);
        Assert.Equal((1 + 4) / 2.0 + (0 + 4) / 2.0, loss, 6);
    }

    [Fact]
    public void Softmax_prediction_sums_to_one()
    {
        var p = new float[3];
        new SoftmaxCrossEntropyHead(3).Predict([2f, -1f, 88f], p);
        Assert.Equal(1f, p.Sum(), 5);
        Assert.True(p[2] > 0.99f);
    }
}
