using ActorMlp.Cluster.Hosting;

namespace ActorMlp.Cluster.Tests;

public class LogThrottleTests
{
    [Fact]
    public void Alike_refusals_are_written_once_per_window_with_a_count()
    {
        var throttle = new LogThrottle(TimeSpan.FromMilliseconds(200));
        Assert.Equal("refused [10.0.0.9]:5000: bad", throttle.Admit("refused [10.0.0.9]:5000: bad"));
        Assert.Null(throttle.Admit("refused [10.0.0.9]:5001: bad")); // the same sender reconnecting
        Assert.NotNull(throttle.Admit("refused [10.0.0.9]:5002: other reason"));
        Thread.Sleep(250);
        Assert.Contains("(1 more like it", throttle.Admit("refused [10.0.0.9]:5003: bad"));
    }

    [Fact]
    public void Many_distinct_senders_do_not_grow_it_without_bound()
    {
        var throttle = new LogThrottle(TimeSpan.FromMinutes(1));
        int senders = 3 * LogThrottle.MaxKeys - 1;
        for (int i = 0; i < senders; i++) Assert.NotNull(throttle.Admit($"refused sender {i}"));
        // Each sender was written once; the table was started afresh twice on the way, and still throttles the latest.
        Assert.Null(throttle.Admit($"refused sender {senders - 1}"));
        Assert.NotNull(throttle.Admit("refused sender 0")); // forgotten in a clear: written again, never left out for good
    }
}
