using ActorMlp.Core.Numerics;

namespace ActorMlp.Core.Tests;

/// <summary>The project's own exp, log, sigmoid and tanh: accurate to a few ulp, with the edge cases right.</summary>
public class DeterministicMathTests
{
    // Distance in units of the last place between two floats of the same sign.
    static long Ulps(float a, double exact)
    {
        float e = (float)exact;
        return Math.Abs((long)BitConverter.SingleToInt32Bits(a) - BitConverter.SingleToInt32Bits(e));
    }

    static IEnumerable<float> Grid(float from, float to, int count)
    {
        for (int i = 0; i <= count; i++) yield return from + (to - from) * i / count;
    }

    [Fact]
    public void Exp_is_within_two_ulp_over_the_normal_range()
    {
        foreach (float x in Grid(-87f, 88f, 200_000))
            Assert.True(Ulps(DeterministicMath.Exp(x), Math.Exp(x)) <= 2, $"exp({x:R}) = {DeterministicMath.Exp(x):R}, not {Math.Exp(x):R}");
        Assert.Equal(1f, DeterministicMath.Exp(0f));
        Assert.Equal(0f, DeterministicMath.Exp(-100f));
        Assert.Equal(0f, DeterministicMath.Exp(float.NegativeInfinity));
        Assert.True(float.IsNaN(DeterministicMath.Exp(float.NaN)));
        Assert.True(float.IsFinite(DeterministicMath.Exp(1000f)));
    }

    [Fact]
    public void Log_is_within_two_ulp()
    {
        foreach (float x in Grid(1e-6f, 10f, 100_000).Concat(Grid(10f, 1e30f, 10_000)).Append(1.5e-40f).Append(float.MaxValue))
            Assert.True(Ulps(DeterministicMath.Log(x), Math.Log(x)) <= 2 || Math.Abs(DeterministicMath.Log(x) - Math.Log(x)) < 1e-7,
                $"log({x:R}) = {DeterministicMath.Log(x):R}, not {Math.Log(x):R}");
        Assert.Equal(0f, DeterministicMath.Log(1f));
        Assert.Equal(float.NegativeInfinity, DeterministicMath.Log(0f));
        Assert.True(float.IsNaN(DeterministicMath.Log(-1f)));
        Assert.Equal(float.PositiveInfinity, DeterministicMath.Log(float.PositiveInfinity));
    }

    [Fact]
    public void Sigmoid_and_tanh_are_accurate_and_saturate()
    {
        foreach (float x in Grid(-20f, 20f, 100_000))
        {
            Assert.True(Math.Abs(DeterministicMath.Sigmoid(x) - 1 / (1 + Math.Exp(-x))) <= 2e-7 * Math.Max(1e-3, 1 / (1 + Math.Exp(-x))) + 1e-12, $"sigmoid({x:R})");
            double t = Math.Tanh(x);
            Assert.True(Math.Abs(DeterministicMath.Tanh(x) - t) <= 4e-7 * Math.Abs(t) + 1e-30, $"tanh({x:R}) = {DeterministicMath.Tanh(x):R}, not {t:R}");
        }
        Assert.Equal(1f, DeterministicMath.Sigmoid(100f));
        Assert.Equal(0.5f, DeterministicMath.Sigmoid(0f));
        Assert.Equal(1f, DeterministicMath.Tanh(50f));
        Assert.Equal(-1f, DeterministicMath.Tanh(-50f));
        Assert.Equal(0f, DeterministicMath.Tanh(0f));
        Assert.Equal(1e-20f, DeterministicMath.Tanh(1e-20f));
    }
}
