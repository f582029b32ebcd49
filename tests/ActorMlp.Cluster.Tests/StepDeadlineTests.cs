using ActorMlp.Cluster.Actors;

namespace ActorMlp.Cluster.Tests;

public class StepDeadlineTests
{
    [Fact]
    public void The_deadline_is_the_floor_until_steps_are_slow_then_factor_times_their_median()
    {
        var d = new StepDeadline(TimeSpan.FromSeconds(2), 4);
        Assert.Equal(TimeSpan.FromSeconds(2), d.Next());
        for (int i = 0; i < 5; i++) d.StepTook(0.01);
        Assert.Equal(TimeSpan.FromSeconds(2), d.Next());
        foreach (double s in new[] { 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 30.0 }) d.StepTook(s);
        Assert.Equal(TimeSpan.FromSeconds(4), d.Next()); // one very slow step does not move the median
    }

    [Fact]
    public void Only_the_last_twenty_steps_count()
    {
        var d = new StepDeadline(TimeSpan.FromMilliseconds(1), 2);
        for (int i = 0; i < 20; i++) d.StepTook(10);
        for (int i = 0; i < 20; i++) d.StepTook(1);
        Assert.Equal(TimeSpan.FromSeconds(2), d.Next());
    }
}
