using ActorMlp.Core.Optim;

namespace ActorMlp.Core.Tests;

public class LrScheduleTests
{
    [Fact]
    public void Constant_schedule_keeps_the_base_rate()
        => Assert.Equal(0.1f, new LrSchedule(0.1f).At(999, 10, 1000));

    [Fact]
    public void Step_schedule_decays_every_step_epochs()
    {
        var s = new LrSchedule(1f, ScheduleKind.Step, StepEpochs: 2, Gamma: 0.5f);
        Assert.Equal(1f, s.At(19, 10, 100));   // epoch 1
        Assert.Equal(0.5f, s.At(20, 10, 100)); // epoch 2
        Assert.Equal(0.25f, s.At(45, 10, 100)); // epoch 4
    }

    [Fact]
    public void Cosine_schedule_runs_from_base_to_minimum()
    {
        var s = new LrSchedule(1f, ScheduleKind.Cosine, MinimumRate: 0.1f);
        Assert.Equal(1f, s.At(0, 10, 100), 6);
        Assert.Equal(0.55f, s.At(50, 10, 100), 6);
        Assert.Equal(0.1f, s.At(100, 10, 100), 6);
    }

    [Fact]
    public void Warmup_ramps_linearly_then_hands_over()
    {
        var s = new LrSchedule(1f, WarmupSteps: 4);
        Assert.Equal(new[] { 0.25f, 0.5f, 0.75f, 1f, 1f }, Enumerable.Range(0, 5).Select(t => s.At(t, 10, 100)));
    }
}
