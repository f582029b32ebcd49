using ActorMlp.Cluster.Watch;

namespace ActorMlp.Cluster.Tests;

public sealed class StragglerDetectorTests
{
    /// <summary>Feeds one step per worker: worker-2 computes <paramref name="slow"/> times as long as the others, who wait for it.</summary>
    static List<string> Run(StragglerDetector detector, int steps, double slow, int workers = 3)
    {
        var warnings = new List<string>();
        for (int step = 0; step < steps; step++)
            for (int w = 1; w <= workers; w++)
            {
                double jitter = 1 + 0.01 * ((step * 7 + w) % 5);
                double compute = (w == 2 ? slow : 1) * 0.004 * jitter;
                double wait = w == 2 ? 0.0004 : 0.004 * (slow - 1) + 0.0004;
                if (detector.Observe($"worker-{w}", compute, wait) is { } warning) warnings.Add(warning);
            }
        return warnings;
    }

    [Fact]
    public void A_worker_computing_three_times_longer_is_named_with_its_factor_and_its_wait()
    {
        var warnings = Run(new StragglerDetector(window: 50, factor: 2), steps: 50, slow: 3.1);

        var warning = Assert.Single(warnings);
        Assert.StartsWith("worker-2: compute 3.1× the median over the last 50 steps (", warning);
        Assert.Contains("its wait 0.4 ms", warning);
    }

    [Fact]
    public void Nobody_is_named_before_a_full_window_nor_when_all_compute_alike()
    {
        Assert.Empty(Run(new StragglerDetector(50, 2), steps: 49, slow: 4));
        Assert.Empty(Run(new StragglerDetector(50, 2), steps: 200, slow: 1.5));
    }

    [Fact]
    public void A_straggler_is_named_at_most_once_per_window()
    {
        var warnings = Run(new StragglerDetector(window: 10, factor: 2), steps: 45, slow: 5);

        // Full at step 10, then again 10 steps after each warning: steps 10, 20, 30, 40.
        Assert.Equal(4, warnings.Count);
        Assert.All(warnings, w => Assert.StartsWith("worker-2: compute 5.", w));
    }

    [Fact]
    public void Long_waits_alone_do_not_make_a_straggler()
    {
        var detector = new StragglerDetector(window: 10, factor: 2);
        for (int step = 0; step < 30; step++)
        {
            Assert.Null(detector.Observe("worker-1", 0.004, 0.050));
            Assert.Null(detector.Observe("worker-2", 0.004, 0.0001));
        }
    }

    [Fact]
    public void A_worker_that_left_no_longer_counts_as_the_others()
    {
        var detector = new StragglerDetector(window: 5, factor: 2);
        for (int step = 0; step < 5; step++)
        {
            detector.Observe("worker-1", 0.001, 0);
            detector.Observe("worker-2", 0.010, 0);
        }
        detector.Forget("worker-1");
        for (int step = 0; step < 10; step++) Assert.Null(detector.Observe("worker-2", 0.010, 0));
    }
}
