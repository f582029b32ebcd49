using ActorMlp.Cluster.Peer;
using ActorMlp.Cluster.Protocol;

namespace ActorMlp.Cluster.Tests;

public class ViewPlannerTests
{
    static ViewCandidate C(string id, long step, int cores = 1) => new(id, cores, $"{id}:1", step);

    [Fact]
    public void A_fresh_run_starts_every_replica_from_the_seed_with_leaves_split_by_cores_in_id_order()
    {
        var v = ViewPlanner.Plan(1, [C("b", -1, 3), C("a", -1, 1)], 16, coordinatorStep: 0, fromSeed: true, awaitedStep: -1);
        Assert.Equal(["a", "b"], v.Members);
        Assert.Equal(0, v.Step);
        Assert.Equal(InstallView.Seed, v.StateSource);
        Assert.Equal(["a", "b"], v.NeedState);
        Assert.Equal([0, 4], v.LeafStarts);
        Assert.Equal([4, 16], v.LeafEnds);
        Assert.Equal("a", v.Reporter);
        Assert.False(v.ReportNow);
    }

    [Fact]
    public void Members_a_step_behind_take_the_state_of_one_that_is_ahead()
    {
        // c applied step 41 and a did not: the owner of a slice was lost between sending it to c and to a.
        var v = ViewPlanner.Plan(5, [C("a", 41), C("c", 42), C("d", -1)], 16, coordinatorStep: 0, fromSeed: false, awaitedStep: -1);
        Assert.Equal(42, v.Step);
        Assert.Equal("c", v.StateSource);
        Assert.Equal(["a", "d"], v.NeedState);
    }

    [Fact]
    public void Equal_replicas_need_no_state_and_a_waited_for_state_is_asked_for()
    {
        var v = ViewPlanner.Plan(2, [C("a", 30), C("b", 30)], 16, coordinatorStep: 20, fromSeed: false, awaitedStep: 30);
        Assert.Empty(v.NeedState);
        Assert.True(v.ReportNow);
    }

    [Fact]
    public void Without_a_replica_as_new_as_the_coordinator_the_coordinator_gives_its_state()
    {
        var resumed = ViewPlanner.Plan(1, [C("a", -1), C("b", -1)], 16, coordinatorStep: 500, fromSeed: false, awaitedStep: -1);
        Assert.Equal(500, resumed.Step);
        Assert.Equal(InstallView.Coordinator, resumed.StateSource);
        Assert.Equal(["a", "b"], resumed.NeedState);

        // Every replica went past the step whose state the coordinator waits for: back to the coordinator's.
        var passed = ViewPlanner.Plan(3, [C("a", 61), C("b", 61)], 16, coordinatorStep: 40, fromSeed: false, awaitedStep: 60);
        Assert.Equal(40, passed.Step);
        Assert.Equal(InstallView.Coordinator, passed.StateSource);
    }

    [Fact]
    public void More_workers_than_leaves_leaves_some_without_leaves_but_each_owns_a_slice()
    {
        var v = ViewPlanner.Plan(1, Enumerable.Range(0, 6).Select(i => C($"w{i}", 0)).ToList(), 4, 0, true, -1);
        Assert.Equal(6, v.Members.Length);
        Assert.Equal(4, v.LeafEnds.Zip(v.LeafStarts, (e, s) => e - s).Sum());
        Assert.Contains(v.LeafEnds.Zip(v.LeafStarts, (e, s) => e - s), n => n == 0);
    }

    [Fact]
    public void Stopping_holds_the_members_and_asks_for_the_state()
    {
        var v = ViewPlanner.Plan(4, [C("a", 7)], 16, 0, false, -1, hold: true);
        Assert.True(v.Hold);
        Assert.True(v.ReportNow);
    }
}
