using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using Akka.Actor;
using Akka.TestKit;

namespace ActorMlp.Cluster.Tests;

/// <summary>
/// The peer-to-peer coordinator against probe workers that speak its protocol by hand — Akka
/// messages and frames on their own tensor links — on TestKit's TestScheduler, so pause and step
/// deadlines pass when a spec says so, never by the real clock.
/// </summary>
public sealed class PeerCoordinatorSpecs : Akka.TestKit.Xunit2.TestKit
{
    static readonly TimeSpan Floor = TimeSpan.FromSeconds(2);
    readonly StepLog _log = new();
    readonly TaskCompletionSource<RunOutcome> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Trainer _trainer = Fixtures.NewTrainer();
    readonly List<PeerLinks> _links = [];

    public PeerCoordinatorSpecs() : base(Fixtures.ManualClockConfig()) { }

    protected override void AfterAll()
    {
        foreach (var l in _links) l.Dispose();
        base.AfterAll();
    }

    TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    IActorRef StartCoordinator(int minWorkers)
    {
        var settings = Fixtures.AkkaLink with
        {
            TensorLink = TensorLinkKind.Socket, Reduction = ReductionKind.Peer, MinWorkers = minWorkers, DeadlineFloor = Floor, DeadlineFactor = 4,
        };
        var setup = new CoordinatorSetup(new Mlp(Fixtures.Spec), _trainer, Fixtures.Fingerprint, _log, settings, _done, Fixtures.Recipe());
        return Sys.ActorOf(Props.Create(() => new PeerCoordinatorActor(setup)), CoordinatorActor.Name);
    }

    sealed record Peer(string Id, TestProbe Probe, PeerLinks Links, WorkerAccepted Accepted)
    {
        public void Send(PeerFrameKind kind, int view, long step, ReadOnlySpan<byte> payload, int index = 0, int length = -1)
            => Assert.True(Links.Send("coordinator", Accepted.TensorEndpoint,
                new PeerFrameHeader(kind, 0, index, 0, view, step, Accepted.RunToken, length < 0 ? payload.Length : length), payload));

        public void Paused(int view, long step) => Send(PeerFrameKind.Paused, view, Math.Max(0, step), [], step >= 0 ? 1 : 0);

        public void Applied(int view, long step, float loss, float correct)
        {
            float[] metrics = [loss, correct];
            Send(PeerFrameKind.Applied, view, step, System.Runtime.InteropServices.MemoryMarshal.AsBytes(metrics.AsSpan()), length: 2);
        }
    }

    Peer Join(IActorRef coordinator, string id)
    {
        var probe = CreateTestProbe(id);
        coordinator.Tell(new RegisterWorker(id, 1, Fixtures.Fingerprint), probe.Ref);
        var accepted = probe.ExpectMsg<WorkerAccepted>();
        Assert.NotNull(accepted.Recipe);
        var links = new PeerLinks(id, "127.0.0.1", 0, accepted.RunToken, new Mlp(Fixtures.Spec).NodeLength, 1 << 20, probe.Ref, 1 << 16, _ => { });
        _links.Add(links);
        links.Admit("coordinator");
        Assert.True(links.Connect("coordinator", accepted.TensorEndpoint));
        coordinator.Tell(new WorkerReady(id, links.Endpoint), probe.Ref);
        return new Peer(id, probe, links, accepted);
    }

    [Fact]
    public void A_worker_that_does_not_pause_in_time_is_dropped_and_the_others_go_on_from_the_seed()
    {
        var coordinator = StartCoordinator(minWorkers: 2);
        var a = Join(coordinator, "a");
        var b = Join(coordinator, "b");
        int view = a.Probe.ExpectMsg<PauseTraining>().View;
        Assert.Equal(view, b.Probe.ExpectMsg<PauseTraining>().View);

        a.Paused(view, -1);
        a.Probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // b has not answered: nothing is installed
        Clock.Advance(Floor);

        b.Probe.ExpectMsg<RejoinRun>();
        var install = a.Probe.ExpectMsg<InstallView>();
        Assert.Equal(["a"], install.Members);
        Assert.Equal(0, install.Step);
        Assert.Equal(InstallView.Seed, install.StateSource);
        Assert.Equal([0], install.LeafStarts);
        Assert.Equal([Fixtures.Plan.MicroShards], install.LeafEnds);
    }

    [Fact]
    public void A_node_that_did_not_register_cannot_report_steps_with_the_run_token()
    {
        var coordinator = StartCoordinator(minWorkers: 1);
        var a = Join(coordinator, "a");
        int view = a.Probe.ExpectMsg<PauseTraining>().View;
        a.Paused(view, -1);
        var install = a.Probe.ExpectMsg<InstallView>();

        // It learned the token and the endpoint, and reports two steps with made-up metrics.
        var intruder = new PeerLinks("mallory", "127.0.0.1", 0, a.Accepted.RunToken, new Mlp(Fixtures.Spec).NodeLength, 1 << 20, ActorRefs.Nobody, 1 << 16, _ => { });
        _links.Add(intruder);
        float[] made = [1e6f, 0];
        for (long step = 0; step < 2; step++)
            intruder.Send("coordinator", a.Accepted.TensorEndpoint,
                new PeerFrameHeader(PeerFrameKind.Applied, 0, 0, 0, install.View, step, a.Accepted.RunToken, 2), made.AsSpan());

        a.Applied(install.View, 0, 0.5f, 3);
        AwaitCondition(() => _trainer.Step >= 1, TimeSpan.FromSeconds(10));
        a.Probe.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // time for the intruder's frames, were they let in
        var expected = Fixtures.NewTrainer();
        expected.Advance(0.5f, 3);
        Assert.Equal(1, _trainer.Step);
        Assert.Equal(expected.EpochLoss, _trainer.EpochLoss);
    }

    [Fact]
    public void A_step_late_past_the_deadline_pauses_the_members()
    {
        var coordinator = StartCoordinator(minWorkers: 1);
        var a = Join(coordinator, "a");
        int view = a.Probe.ExpectMsg<PauseTraining>().View;
        a.Paused(view, -1);
        var install = a.Probe.ExpectMsg<InstallView>();

        a.Probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Clock.Advance(Floor - TimeSpan.FromMilliseconds(1));
        a.Probe.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(install.View + 1, a.Probe.ExpectMsg<PauseTraining>().View);
    }

    [Fact]
    public void Steps_are_counted_from_the_reports_and_the_run_ends_with_the_final_state()
    {
        var coordinator = StartCoordinator(minWorkers: 1);
        var a = Join(coordinator, "a");
        int view = a.Probe.ExpectMsg<PauseTraining>().View;
        a.Paused(view, -1);
        var install = a.Probe.ExpectMsg<InstallView>();

        // What the replica would report: the steps of the local run, then its state at the end.
        var local = Fixtures.NewTrainer();
        var engine = new LocalGradientEngine(new Mlp(Fixtures.Spec), new SyntheticSamples(64), Fixtures.Plan);
        var model = new Mlp(Fixtures.Spec);
        while (!local.Finished)
        {
            long step = local.Step;
            var root = engine.ComputeRoot(local.Parameters, local.Current);
            var (loss, correct) = model.Metrics(root);
            if (local.Apply(root)) { }
            a.Applied(install.View, step, (float)loss, (float)correct);
            a.Applied(install.View, step, (float)loss, (float)correct); // a second report of a step counts once
        }
        a.Send(PeerFrameKind.State, install.View, local.Step, TrainerState.Capture(local).ToBytes());

        AwaitCondition(() => _done.Task.IsCompleted, TimeSpan.FromSeconds(10));
        Assert.Equal("finished", _done.Task.GetAwaiter().GetResult().Message);
        Assert.Equal(Enumerable.Range(0, (int)Fixtures.Plan.TotalSteps).Select(i => (long)i), _log.Steps.Select(s => s.Step));
        Assert.Equal(Fixtures.LocalResult(), _trainer.Parameters);
        a.Probe.FishForMessage(m => m is StopWorking);
    }
}
