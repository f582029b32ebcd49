using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Training;
using ActorMlp.TestKit;

namespace ActorMlp.Cluster.Tests;

/// <summary>
/// Faults at a named step and phase in an in-process cluster on real remoting, the real serializer and the
/// socket tensor link (ActorMlp.TestKit); every run must end on the bits of the fault-free run. The star rows
/// of the process-level fault tests live here; their peer rows stay with the processes (tests/ActorMlp.Cli.Tests).
/// </summary>
public sealed class FaultSpecs
{
    // Two epochs of four steps: a fault at step 2 lands mid-run, with steps on either side of it.
    static readonly RunRecipe Recipe = new(Fixtures.Spec, Fixtures.Plan with { Epochs = 2 }, new SyntheticSamples(64), Fixtures.Fingerprint,
        new OptimizerSettings(OptimizerKind.Momentum), new LrSchedule(0.1f));

    static readonly Lazy<float[]> FaultFree = new(Recipe.TrainLocally);

    // A late step is given to the idle workers after 300 ms rather than the default's seconds.
    static ClusterSettings ShortDeadline(ClusterSettings s) => s with { DeadlineFloor = TimeSpan.FromMilliseconds(300) };

    static async Task<RunOutcome> Run(ClusterFixture cluster)
    {
        var outcome = await cluster.RunAsync();
        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(Enumerable.Range(0, (int)Recipe.Plan.TotalSteps).Select(i => (long)i), cluster.StepsApplied);
        return outcome;
    }

    [Fact]
    public async Task A_worker_killed_mid_step_leaves_the_bits_of_the_fault_free_run()
    {
        await using var cluster = new ClusterFixture(Recipe, workers: 3);
        cluster.Faults.At("worker-2", step: 2, FaultPhase.WeightsArrived).Kill();
        var outcome = await Run(cluster);
        Assert.Equal(3, outcome.WorkersSeen);
        Assert.Equal(FaultKind.Kill, Assert.Single(cluster.Faults.Fired).Kind);
        Assert.True(cluster.Workers.Single(w => w.Id == "worker-2").Crashed);
        BitIdentity.AssertSameBits(FaultFree.Value, cluster.Parameters);
    }

    [Fact]
    public async Task A_straggler_paused_mid_step_has_its_leaves_done_by_an_idle_worker_with_the_same_bits()
    {
        var pause = TimeSpan.FromSeconds(2);
        await using var cluster = new ClusterFixture(Recipe, workers: 2, ShortDeadline);
        var pausedAt = TimeSpan.Zero;
        cluster.Faults.At("worker-1", step: 2, FaultPhase.WeightsArrived).Then(() => pausedAt = cluster.Elapsed);
        cluster.Faults.At("worker-1", step: 2, FaultPhase.WeightsArrived).Pause(pause);
        await Run(cluster);
        Assert.Equal([FaultKind.Action, FaultKind.Pause], cluster.Faults.Fired.Select(f => f.Kind));
        // The step did not wait for the straggler: worker-2 did its leaves while it slept.
        Assert.True(cluster.AppliedAt(2) - pausedAt < pause, $"step 2 applied {cluster.AppliedAt(2) - pausedAt} after the pause began");
        BitIdentity.AssertSameBits(FaultFree.Value, cluster.Parameters);
    }

    [Fact]
    public async Task A_worker_joining_mid_run_takes_leaves_and_keeps_the_bits()
    {
        await using var cluster = new ClusterFixture(Recipe, workers: 1, ShortDeadline);
        // worker-1 waits at step 2 until the new worker is in the run, so it joins mid-run whatever the machine's speed;
        // at step 4 it stalls, so the steps cannot all pass before the late worker is counted in.
        bool joined = false;
        cluster.Faults.At("worker-1", step: 2, FaultPhase.WeightsArrived)
            .Then(() => joined = cluster.StartWorker("late").Joined.Wait(TimeSpan.FromSeconds(30)));
        cluster.Faults.At("worker-1", step: 4, FaultPhase.WeightsArrived).Pause(TimeSpan.FromSeconds(2));
        var computedByLate = 0;
        for (long step = 3; step < Recipe.Plan.TotalSteps; step++)
            cluster.Faults.At("late", step, FaultPhase.SubtreeSending).Then(() => Interlocked.Increment(ref computedByLate));
        var outcome = await Run(cluster);
        Assert.True(joined, "the late worker did not join within 30 s");
        Assert.Equal(2, outcome.WorkersSeen);
        Assert.True(computedByLate > 0, "the late worker computed nothing");
        BitIdentity.AssertSameBits(FaultFree.Value, cluster.Parameters);
    }

    [Fact]
    public async Task A_dropped_subtree_frame_is_recomputed_by_another_worker_with_the_same_bits()
    {
        await using var cluster = new ClusterFixture(Recipe, workers: 2, ShortDeadline);
        cluster.Faults.At("worker-1", step: 2, FaultPhase.SubtreeSending).Drop();
        await Run(cluster);
        Assert.NotEmpty(cluster.Faults.Fired);
        BitIdentity.AssertSameBits(FaultFree.Value, cluster.Parameters);
    }

    [Fact]
    public async Task A_delayed_weights_frame_only_slows_the_step()
    {
        await using var cluster = new ClusterFixture(Recipe, workers: 2);
        cluster.Faults.At("worker-2", step: 1, FaultPhase.WeightsArrived).Delay(TimeSpan.FromMilliseconds(500));
        await Run(cluster);
        Assert.Single(cluster.Faults.Fired);
        BitIdentity.AssertSameBits(FaultFree.Value, cluster.Parameters);
    }

    [Fact]
    public async Task A_corrupted_subtree_frame_is_caught_by_verification_and_its_worker_dropped()
    {
        await using var cluster = new ClusterFixture(Recipe, workers: 2, s => s with { VerifyFraction = 1 });
        // The step starts over with worker-2 alone while its own first subtrees of the step may still be on their
        // way: a late part of a node it sends again whole must not keep the step from completing.
        cluster.Faults.At("worker-1", step: 2, FaultPhase.SubtreeSending).Corrupt();
        await Run(cluster);
        Assert.NotEmpty(cluster.Faults.Fired);
        BitIdentity.AssertSameBits(FaultFree.Value, cluster.Parameters);
    }

    [Fact]
    public async Task A_corrupted_subtree_frame_without_verification_fails_the_bit_identity_assertion()
    {
        await using var cluster = new ClusterFixture(Recipe, workers: 1);
        cluster.Faults.At("worker-1", step: 2, FaultPhase.SubtreeSending).Corrupt();
        await Run(cluster);
        var error = Assert.Throws<BitIdentityException>(() => BitIdentity.AssertSameBits(FaultFree.Value, cluster.Parameters));
        Assert.Contains("differ from the fault-free run's", error.Message);
    }

    [Fact]
    public async Task A_partitioned_worker_is_lost_and_the_others_finish_with_the_same_bits()
    {
        await using var cluster = new ClusterFixture(Recipe, workers: 2, ShortDeadline);
        cluster.Faults.At("worker-2", step: 2, FaultPhase.WeightsArrived).Partition();
        var outcome = await Run(cluster);
        Assert.Equal(2, outcome.WorkersSeen);
        Assert.True(cluster.Workers.Single(w => w.Id == "worker-2").Partitioned);
        BitIdentity.AssertSameBits(FaultFree.Value, cluster.Parameters);
    }
}
