using ActorMlp.Core.Determinism;

namespace ActorMlp.Core.Tests;

public class SplitMix64Tests
{
    [Fact]
    public void SplitMix64_matches_the_reference_outputs()
    {
        // First outputs of Vigna's splitmix64.c for seeds 0 and 1234567.
        var zero = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, zero.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, zero.Next());
        Assert.Equal(0x06C45D188009454FUL, zero.Next());
        var other = new SplitMix64(1234567);
        Assert.Equal(6457827717110365317UL, other.Next());
        Assert.Equal(3203168211198807973UL, other.Next());
        Assert.Equal(9817491932198370423UL, other.Next());
    }

    [Fact]
    public void Restoring_the_state_resumes_the_stream()
    {
        var rng = new SplitMix64(99);
        rng.Next();
        var saved = rng.State;
        ulong expected = rng.Next();
        Assert.Equal(expected, new SplitMix64 { State = saved }.Next());
    }

    [Fact]
    public void NextInt_stays_in_bounds_and_reaches_every_value()
    {
        var rng = new SplitMix64(7);
        var seen = new int[7];
        for (int i = 0; i < 7000; i++) seen[rng.NextInt(7)]++;
        Assert.All(seen, count => Assert.InRange(count, 800, 1200));
        Assert.Equal(0, new SplitMix64(1).NextInt(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SplitMix64(1).NextInt(0));
    }

    [Fact]
    public void Gaussian_draws_have_zero_mean_and_unit_variance()
    {
        var rng = new SplitMix64(3);
        double sum = 0, squares = 0;
        const int n = 20000;
        for (int i = 0; i < n; i++)
        {
            double g = rng.NextGaussian();
            sum += g;
            squares += g * g;
        }
        Assert.InRange(sum / n, -0.03, 0.03);
        Assert.InRange(squares / n, 0.95, 1.05);
    }

    [Fact]
    public void Derived_seeds_differ_by_purpose_and_index()
    {
        var seeds = new HashSet<ulong>
        {
            SplitMix64.Derive(1, SeedPurpose.Initialization),
            SplitMix64.Derive(1, SeedPurpose.EpochOrder, 0),
            SplitMix64.Derive(1, SeedPurpose.EpochOrder, 1),
            SplitMix64.Derive(2, SeedPurpose.EpochOrder, 0),
            SplitMix64.Derive(1, SeedPurpose.TrainTestSplit),
        };
        Assert.Equal(5, seeds.Count);
    }
}
