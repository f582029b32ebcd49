using ActorMlp.Core.Determinism;

namespace ActorMlp.Core.Tests;

public class ShardPlanTests
{
    [Theory]
    [InlineData(128, 16)]
    [InlineData(100, 16)]
    [InlineData(5, 8)]
    [InlineData(1, 1)]
    public void Shards_tile_the_batch_in_order(int batch, int shards)
    {
        int expectedStart = 0;
        for (int i = 0; i < shards; i++)
        {
            Assert.Equal(expectedStart, ShardPlan.Start(batch, shards, i));
            int size = ShardPlan.End(batch, shards, i) - ShardPlan.Start(batch, shards, i);
            Assert.InRange(size, batch / shards, ShardPlan.MaxShardSize(batch, shards));
            expectedStart = ShardPlan.End(batch, shards, i);
        }
        Assert.Equal(batch, expectedStart);
    }

    [Fact]
    public void Shard_bounds_follow_the_floor_formula()
    {
        // shard i holds [⌊iB/M⌋, ⌊(i+1)B/M⌋): B = 10, M = 4 gives 0, 2, 5, 7, 10.
        Assert.Equal(new[] { 0, 2, 5, 7, 10 }, Enumerable.Range(0, 5).Select(i => ShardPlan.Start(10, 4, i)));
    }
}
