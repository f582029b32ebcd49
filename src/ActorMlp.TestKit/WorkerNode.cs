using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;

namespace ActorMlp.TestKit;

/// <summary>One worker node of a <see cref="ClusterFixture"/>: its own ActorSystem on loopback TCP, with the faults that act on it.</summary>
public sealed class WorkerNode
{
    readonly Address _coordinator;
    volatile bool _partitioned;

    internal WorkerNode(string id, Address coordinator) => (Id, _coordinator) = (id, coordinator);

    /// <summary>The worker's id, as the coordinator names it.</summary>
    public string Id { get; }

    /// <summary>The node's ActorSystem, once started.</summary>
    public ActorSystem System { get; internal set; } = null!;

    /// <summary>The node's cluster address.</summary>
    public Address Address { get; internal set; } = null!;

    /// <summary>Whether the node has been crashed by a Kill.</summary>
    public bool Crashed { get; private set; }

    /// <summary>Whether the node is cut off from the coordinator by a Partition.</summary>
    public bool Partitioned => _partitioned;

    readonly TaskCompletionSource _joined = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the coordinator has taken the worker into the run and its tensor link is open.</summary>
    public Task Joined => _joined.Task;

    internal void SetJoined() => _joined.TrySetResult();

    /// <summary>Why the worker actor stopped, once it has.</summary>
    public Cluster.Actors.WorkerStopped? Stopped { get; internal set; }

    /// <summary>
    /// Terminates the node's ActorSystem without leaving the cluster (its coordinated shutdown is not run by
    /// termination), so the coordinator sees what a crash shows: a broken association and silence.
    /// </summary>
    public void Crash()
    {
        Crashed = true;
        _ = System.Terminate();
    }

    /// <summary>
    /// Blackholes Akka remoting between this node and the coordinator in both directions through the throttler
    /// transport adapter every fixture node runs with; the worker's tensor link carries nothing from then on.
    /// </summary>
    public void Partition()
    {
        _partitioned = true;
        var transport = ((IRemoteActorRefProvider)((ExtendedActorSystem)System).Provider).Transport;
        transport.ManagementCommand(new SetThrottle(_coordinator, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance))
            .Wait(TimeSpan.FromSeconds(10));
    }
}
