using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using Akka.Actor;
using Akka.TestKit;

namespace ActorMlp.Cluster.Tests;

/// <summary>A TestProbe standing in for a worker on the chunked-message link: it computes real leaves with the core.</summary>
internal sealed class ProbeWorker
{
    public TestProbe Probe { get; }
    public string Id { get; }
    readonly ChunkAssembler _weights;
    readonly LeafComputer _computer;
    readonly float[] _node;
    long _token;
    IActorRef _coordinator = ActorRefs.Nobody;
    (long Step, float[] Values)? _current;

    public ProbeWorker(TestKitBase kit, string id)
    {
        Probe = kit.CreateTestProbe(id);
        Id = id;
        var model = new Mlp(Fixtures.Spec);
        _weights = new ChunkAssembler(new BufferPool(model.Layout.Count));
        _computer = new LeafComputer(model, new SyntheticSamples(64), Fixtures.Plan);
        _node = new float[model.NodeLength];
    }

    public WorkerAccepted Register(IActorRef coordinator, string fingerprint = Fixtures.Fingerprint)
    {
        coordinator.Tell(new RegisterWorker(Id, 1, fingerprint), Probe.Ref);
        var accepted = Probe.ExpectMsg<WorkerAccepted>(TimeSpan.FromSeconds(10));
        _token = accepted.RunToken;
        _coordinator = coordinator;
        return accepted;
    }

    /// <summary>Reads weight chunks until the next ComputeLeaves.</summary>
    public ComputeLeaves NextJob()
    {
        while (true)
        {
            var message = Probe.ReceiveOne(TimeSpan.FromSeconds(10)) ?? throw new TimeoutException($"{Id} got no work");
            switch (message)
            {
                case TensorChunk chunk when _weights.Add("c", chunk) is { } w:
                    _current = (chunk.Step, w);
                    break;
                case ComputeLeaves job:
                    Assert.Equal(job.Step, _current?.Step);
                    return job;
            }
        }
    }

    public float[] Compute(ComputeLeaves job, TreeNode node)
    {
        _computer.ComputeNode(_current!.Value.Values, new StepAssignment(job.Step, job.Epoch, job.Batch), node, _node);
        return (float[])_node.Clone();
    }

    public void Send(long step, TreeNode node, float[] value)
        => ChunkAssembler.Send(_coordinator, Probe.Ref, _token, step, TensorKind.Subtree, node.Level, node.Index, value, 256);

    /// <summary>Does the job as a worker would: every maximal aligned subtree of its range.</summary>
    public void Do(ComputeLeaves job)
    {
        foreach (var node in TreeNode.Cover(job.FirstLeaf, job.EndLeaf)) Send(job.Step, node, Compute(job, node));
    }
}
