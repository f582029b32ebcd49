using ActorMlp.Cluster.Actors;

namespace ActorMlp.Cluster.Tests;

public sealed class AllocationMeterTests
{
    static readonly object[] Kept = new object[64];

    static string Measure(int bytesPerStep, int linkBytesPerStep)
    {
        var meter = new AllocationMeter();
        long link = 0;
        for (int step = 0; step < AllocationMeter.WarmUpSteps + 30; step++)
        {
            if (bytesPerStep > 0) Kept[step % Kept.Length] = new byte[bytesPerStep];
            link += linkBytesPerStep;
            meter.StepSent(step, link);
        }
        return meter.Report()!;
    }

    [Fact]
    public void Meter_counts_what_the_compute_and_link_threads_allocate_per_step()
    {
        string report = Measure(10_000, 48);
        int perStep = int.Parse(report.Split('=', ' ')[1]);
        Assert.InRange(perStep, 10_000, 10_100);
        Assert.Contains(", 48 on the link thread,", report);
        Assert.Contains("over 29 steps", report);
    }

    [Fact]
    public void Meter_reports_zero_for_steps_that_allocate_nothing()
        => Assert.StartsWith("allocated_bytes_per_step=0 on the compute thread, 0 on the link thread,", Measure(0, 0));

    [Fact]
    public void Meter_says_nothing_before_the_warm_up_is_over()
    {
        var meter = new AllocationMeter();
        for (int step = 0; step < AllocationMeter.WarmUpSteps; step++) meter.StepSent(step, 0);
        Assert.Null(meter.Report());
    }
}
