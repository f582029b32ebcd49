using ActorMlp.Core.Determinism;

namespace ActorMlp.Core.Tests;

public class SlicePlanTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(17, 2)]
    [InlineData(235148, 2)]
    [InlineData(235148, 3)]
    [InlineData(235148, 64)]
    [InlineData(20, 8)]
    public void Slices_tile_the_vector_in_order_on_aligned_boundaries(int length, int parts)
    {
        var plan = new SlicePlan(length, parts);
        Assert.Equal(parts, plan.Count);
        int expectedStart = 0;
        for (int j = 0; j < parts; j++)
        {
            Assert.Equal(expectedStart, plan.Start(j));
            Assert.True(plan.SliceLength(j) >= 0);
            if (j < parts - 1 && plan.SliceLength(j) > 0) Assert.Equal(0, (plan.Start(j) + plan.SliceLength(j)) % SlicePlan.Alignment);
            expectedStart += plan.SliceLength(j);
        }
        Assert.Equal(length, expectedStart);
    }

    [Fact]
    public void Slices_of_a_large_vector_differ_by_at_most_one_alignment_block()
    {
        var plan = new SlicePlan(235148, 7);
        var lengths = Enumerable.Range(0, 7).Select(plan.SliceLength).ToList();
        Assert.True(lengths.Max() - lengths.Min() <= SlicePlan.Alignment, string.Join(",", lengths));
    }
}
