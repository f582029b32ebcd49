using ActorMlp.Core.Training;

namespace ActorMlp.Core.Tests;

public sealed class AutoBatchTests
{
    static readonly AutoBatch Default = new(Min: 32, Max: 128, StepsPerEpoch: 32);

    [Theory]
    [InlineData(60_000, 128)]   // Fashion-MNIST
    [InlineData(4_096, 128)]    // exactly 32 steps of 128
    [InlineData(4_095, 64)]
    [InlineData(2_048, 64)]
    [InlineData(1_437, 32)]     // digits
    [InlineData(455, 32)]       // breast_cancer: the minimum, though an epoch has only 14 steps
    [InlineData(120, 32)]       // iris
    [InlineData(32, 32)]
    [InlineData(10, 10)]        // never more than the training set
    [InlineData(1, 1)]
    public void Auto_batch_halves_the_largest_until_an_epoch_has_enough_steps(int samples, int expected)
        => Assert.Equal(expected, Default.For(samples));

    [Fact]
    public void A_batch_that_is_not_a_power_of_two_halves_the_same_way()
        => Assert.Equal(25, new AutoBatch(20, 100, 10).For(300));

    [Fact]
    public void Equal_bounds_fix_the_batch()
        => Assert.Equal(64, new AutoBatch(64, 64, 1_000).For(500));
}
