using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using Akka.Actor;
using Akka.TestKit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cluster.Tests;

public sealed class WorkerSpecs : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>Stands at /user/coordinator and hands everything to the probe, which answers as the coordinator.</summary>
    sealed class Forwarder(IActorRef probe) : ReceiveActor
    {
        public Forwarder() : this(ActorRefs.Nobody) { }
        protected override void PreStart() => Become(() => ReceiveAny(m => probe.Forward(m)));
    }

    readonly TestProbe _coordinator;
    readonly TaskCompletionSource<WorkerStopped> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WorkerSpecs() : base(Fixtures.TestConfig("coordinator"))
    {
        _coordinator = CreateTestProbe("coordinator-probe");
        Sys.ActorOf(Props.Create(() => new Forwarder(_coordinator.Ref)), CoordinatorActor.Name);
        var cluster = AkkaCluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
    }

    IActorRef StartWorker(string fingerprint = Fixtures.Fingerprint)
    {
        var setup = new WorkerSetup("w", 2, new SyntheticSamples(64), fingerprint,
            Fixtures.AkkaLink with { RegisterInterval = TimeSpan.FromMilliseconds(200) }, s => _stopped.TrySetResult(s));
        return Sys.ActorOf(Props.Create(() => new WorkerActor(setup)), "w");
    }

    [Fact]
    public void Worker_registers_then_computes_the_subtrees_of_its_range()
    {
        var worker = StartWorker();
        var register = _coordinator.ExpectMsg<RegisterWorker>(TimeSpan.FromSeconds(15));
        Assert.Equal(("w", 2, Fixtures.Fingerprint), (register.WorkerId, register.Cores, register.Fingerprint));
        var model = new Mlp(Fixtures.Spec);
        _coordinator.Reply(new WorkerAccepted(77, ModelMessage.From(Fixtures.Spec), PlanMessage.From(Fixtures.Plan), ""));

        var weights = Fixtures.NewTrainer().Parameters;
        var step = new StepAssignment(0, 0, 0);
        _coordinator.Send(worker, new ComputeLeaves(0, 0, 0, 1, 4));           // work may come before its weights
        ChunkAssembler.Send(worker, _coordinator.Ref, 77, 0, TensorKind.Weights, 0, 0, weights, 256);

        var received = new ChunkAssembler(new BufferPool(model.NodeLength));
        var expected = new LeafComputer(model, new SyntheticSamples(64), Fixtures.Plan);
        var value = new float[model.NodeLength];
        foreach (var node in new[] { new TreeNode(0, 1), new TreeNode(1, 1) })  // Cover(1, 4)
        {
            float[]? got = null;
            while (got is null)
            {
                var chunk = _coordinator.ExpectMsg<TensorChunk>(TimeSpan.FromSeconds(10));
                Assert.Equal((77L, 0L, TensorKind.Subtree, node.Level, node.Index), (chunk.RunToken, chunk.Step, chunk.Kind, chunk.Level, chunk.Index));
                got = received.Add("w", chunk);
            }
            expected.ComputeNode(weights, step, node, value);
            Assert.Equal(value, got);
        }
    }

    [Fact]
    public void Worker_ignores_work_from_anyone_but_its_coordinator()
    {
        var worker = StartWorker();
        _coordinator.ExpectMsg<RegisterWorker>(TimeSpan.FromSeconds(15));
        _coordinator.Reply(new WorkerAccepted(5, ModelMessage.From(Fixtures.Spec), PlanMessage.From(Fixtures.Plan), ""));
        var stranger = CreateTestProbe();
        stranger.Send(worker, new ComputeLeaves(0, 0, 0, 0, 4));
        ChunkAssembler.Send(worker, stranger.Ref, 5, 0, TensorKind.Weights, 0, 0, Fixtures.NewTrainer().Parameters, 256);
        stranger.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
        _coordinator.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Worker_stops_when_the_coordinator_refuses_it()
    {
        StartWorker("other/1+0/00");
        _coordinator.ExpectMsg<RegisterWorker>(TimeSpan.FromSeconds(15));
        _coordinator.Reply(new WorkerRefused("worker w has data other/1+0/00, but this run trains on x"));
        var stopped = await _stopped.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(stopped.Refused);
        Assert.Contains("other/1+0/00", stopped.Reason);
    }
}
