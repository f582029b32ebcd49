using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Peer;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using Akka.Actor;

namespace ActorMlp.Cluster.Tests;

/// <summary>
/// Replicas of a peer-to-peer run on real loopback links, each pumped by hand so a test decides who
/// takes which frames when: a member can be "lost" at an exact point of the step, between sending its
/// pieces and reducing its slice, or after some members have gathered a step and others have not.
/// The test plays the coordinator: it pauses the survivors and installs the view the planner gives.
/// </summary>
public sealed class PeerReplicaTests : IDisposable
{
    const long Token = 42;
    readonly List<PeerLinks> _links = [];
    readonly PeerLinks _coordinator;

    public PeerReplicaTests()
    {
        _coordinator = Links("coordinator");
    }

    public void Dispose()
    {
        foreach (var l in _links) l.Dispose();
    }

    PeerLinks Links(string id)
    {
        var links = new PeerLinks(id, "127.0.0.1", 0, Token, new Mlp(Fixtures.Spec).NodeLength, 1 << 20, ActorRefs.Nobody, 1 << 16, _ => { });
        _links.Add(links);
        return links;
    }

    sealed record Member(string Id, PeerReplica Replica, PeerLinks Links);

    Member NewMember(string id)
    {
        var model = new Mlp(Fixtures.Spec);
        var links = Links(id);
        _coordinator.Admit(id);
        var replica = new PeerReplica(id, model, Fixtures.Plan, Fixtures.Recipe(), new LocalGradientEngine(model, new SyntheticSamples(64), Fixtures.Plan),
            links, Token, _coordinator.Endpoint, _ => { }, message => throw new Xunit.Sdk.XunitException(message));
        return new Member(id, replica, links);
    }

    /// <summary>Lets the given members take frames until none has arrived for a while.</summary>
    static void Pump(params Member[] members)
    {
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        while (quiet.ElapsedMilliseconds < 300)
        {
            foreach (var m in members)
            {
                long before = m.Replica.Step;
                m.Replica.TakeFrames();
                if (m.Replica.Step != before) quiet.Restart();
            }
            Thread.Sleep(5);
        }
    }

    static void PumpUntil(Func<bool> done, params Member[] members)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(20), "the replicas did not get there");
            foreach (var m in members) m.Replica.TakeFrames();
            Thread.Sleep(2);
        }
    }

    static InstallView View(int number, IEnumerable<(Member Member, long Step)> members) => ViewPlanner.Plan(number,
        members.Select(m => new ViewCandidate(m.Member.Id, 1, m.Member.Links.Endpoint, m.Step)).ToList(),
        Fixtures.Plan.MicroShards, coordinatorStep: 0, fromSeed: true, awaitedStep: -1);

    [Fact]
    public void A_view_of_one_applies_one_step_per_turn_of_its_mailbox()
    {
        var a = NewMember("a");
        Assert.True(a.Replica.Install(View(1, [(a, -1)])));
        // Its own piece completes each step; the next one starts only when its owner looks again, so a
        // pause or a new view can come in between (and a long run does not recurse through its steps).
        Assert.Equal(1, a.Replica.Step);
        a.Replica.TakeFrames();
        Assert.Equal(2, a.Replica.Step);
        PumpUntil(() => a.Replica.Step == Fixtures.Plan.TotalSteps, a);
        Assert.Equal(Fixtures.LocalResult(), a.Replica.Parameters.ToArray());
    }

    [Fact]
    public void An_owner_lost_before_it_reduced_its_slice_is_replaced_and_the_step_keeps_its_bits()
    {
        var a = NewMember("a");
        var b = NewMember("b");
        var c = NewMember("c");
        var first = View(1, [(a, -1), (b, -1), (c, -1)]);
        foreach (var m in new[] { a, b, c }) Assert.True(m.Replica.Install(first)); // each sends its pieces of step 0

        // c never takes its pieces: it is lost before it reduces its slice, so nobody can finish step 0.
        Pump(a, b);
        Assert.Equal(0, a.Replica.Step);
        Assert.Equal(0, b.Replica.Step);

        a.Replica.Pause(2);
        b.Replica.Pause(2);
        var second = View(2, [(a, a.Replica.Step), (b, b.Replica.Step)]);
        Assert.Empty(second.NeedState);
        Assert.True(a.Replica.Install(second));
        Assert.True(b.Replica.Install(second));
        PumpUntil(() => a.Replica.Step == Fixtures.Plan.TotalSteps && b.Replica.Step == Fixtures.Plan.TotalSteps, a, b);

        var expected = Fixtures.LocalResult();
        Assert.Equal(expected, a.Replica.Parameters.ToArray());
        Assert.Equal(expected, b.Replica.Parameters.ToArray());
    }

    [Fact]
    public void A_member_lost_between_reduce_scatter_and_all_gather_leaves_a_replica_behind_that_catches_up_from_a_peer()
    {
        var a = NewMember("a");
        var b = NewMember("b");
        var c = NewMember("c");
        foreach (var m in new[] { a, b, c }) Assert.True(m.Replica.Install(View(1, [(a, -1), (b, -1), (c, -1)])));

        // a reduces its slice of step 0 and sends it; b and c reduce theirs, gather all three and apply step 0.
        Pump(a);
        PumpUntil(() => b.Replica.Step == 1 && c.Replica.Step == 1, b, c);
        // a pauses before it takes the slices b and c sent it; then c is lost.
        a.Replica.Pause(2);
        b.Replica.Pause(2);
        a.Replica.TakeFrames(); // the old view's frames are dropped: a stays a step behind
        Assert.Equal(0, a.Replica.Step);

        var second = View(2, [(a, a.Replica.Step), (b, b.Replica.Step)]);
        Assert.Equal(1, second.Step);
        Assert.Equal("b", second.StateSource);
        Assert.Equal(["a"], second.NeedState);
        Assert.True(b.Replica.Install(second)); // b sends a its state as it installs
        Assert.True(a.Replica.Install(second));
        PumpUntil(() => a.Replica.Step == Fixtures.Plan.TotalSteps && b.Replica.Step == Fixtures.Plan.TotalSteps, a, b);

        var expected = Fixtures.LocalResult();
        Assert.Equal(expected, a.Replica.Parameters.ToArray());
        Assert.Equal(expected, b.Replica.Parameters.ToArray());
    }

    [Fact]
    public void A_worker_missing_from_a_view_says_so()
    {
        var a = NewMember("a");
        var b = NewMember("b");
        Assert.False(a.Replica.Install(View(1, [(b, -1)])));
    }
}
