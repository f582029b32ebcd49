using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Peer;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cluster.Actors;

/// <summary>
/// Registers with the coordinator once its node is up, then computes what it is told: for each
/// ComputeLeaves of step t, once the weights of step t are in, the maximal aligned subtrees of its
/// leaf range, sent back on the tensor link. It runs on a dedicated thread: a step's compute blocks
/// only this actor, never the cluster's heartbeats.
/// On the socket link a step's first assignment comes in the weights frame, so the worker starts as
/// soon as they are in; ComputeLeaves brings only leaves given to it later in the same step.
/// In a peer-to-peer run it keeps a replica of the trainer instead (<see cref="PeerReplica"/>), listens
/// for its peers, and follows the coordinator's views: pause, then install.
/// </summary>
internal sealed class WorkerActor : ReceiveActor, IWithTimers
{
    public const string Name = "worker";

    sealed record Tick : INoSerializationVerificationNeeded;
    sealed record DataReady(ISampleSource Train, string Fingerprint) : INoSerializationVerificationNeeded;
    sealed record DataFailed(Exception? Error, string Endpoint, IActorRef Coordinator) : INoSerializationVerificationNeeded;

    readonly WorkerSetup _setup;
    readonly ILoggingAdapter _log = Context.GetLogger();
    // Jobs as values, so a step's bookkeeping allocates nothing on this thread.
    readonly record struct Job(long Step, int Epoch, int Batch, int FirstLeaf, int EndLeaf);
    readonly List<Job> _pending = [];
    readonly List<TreeNode> _nodes = [];
    readonly AllocationMeter _allocation = new();
    Address? _coordinatorAddress;
    IActorRef? _coordinator;
    long _token;
    Mlp? _model;
    TrainingPlan? _plan;
    LocalGradientEngine? _computer;
    IWorkerLink? _link;
    BufferPool? _chunkWeights;
    ChunkAssembler? _chunks;
    (long Step, float[] Buffer, long ArrivedAt, long ReadMicros)? _weights;
    // When the last step's subtrees and timing were sent: the wait of the next step counts from there.
    long _idleSince;
    PeerLinks? _peers;
    PeerReplica? _replica;
    // The samples and their fingerprint: the setup's, or fetched from the coordinator by a worker that came without.
    ISampleSource? _train;
    string _fingerprint;
    CancellationTokenSource? _fetching;
    // A worker that cannot open its tensor link tries again at each registration: one line, then one per window.
    readonly LogThrottle _linkFailures = new(TimeSpan.FromSeconds(30));

    public ITimerScheduler Timers { get; set; } = null!;

    public WorkerActor(WorkerSetup setup)
    {
        _setup = setup;
        _train = setup.Train;
        _fingerprint = setup.Fingerprint;
        Receive<ClusterEvent.MemberUp>(m =>
        {
            if (!m.Member.HasRole("coordinator")) return;
            _coordinatorAddress = m.Member.Address;
            Register();
        });
        Receive<ClusterEvent.MemberRemoved>(m => { if (m.Member.Address.Equals(_coordinatorAddress)) Disconnect("the coordinator's node left"); });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<Tick>(_ => Register());
        Receive<WorkerAccepted>(Accepted);
        Receive<DataOffered>(Offered);
        Receive<DataReady>(m =>
        {
            _fetching?.Dispose();
            _fetching = null;
            _train = m.Train;
            _fingerprint = m.Fingerprint;
            Register();
        });
        Receive<DataFailed>(m =>
        {
            _fetching?.Dispose();
            _fetching = null;
            // The data comes from the tensor endpoint: one that cannot be reached is the same misconfiguration as for tensors.
            if (m.Error is not null && IsUnreachable(m.Error)) Unreachable(m.Endpoint, m.Error.Message, m.Coordinator);
            else _log.Error("could not get the run's data: {0}; asking again", m.Error?.Message ?? "the fetch was cancelled");
        });
        Receive<WorkerRefused>(m =>
        {
            _log.Error("the coordinator refused this worker: {0}", m.Reason);
            Stop(new WorkerStopped(true, m.Reason));
        });
        Receive<StopWorking>(m =>
        {
            _log.Info("stopping: {0}", m.Reason);
            Stop(new WorkerStopped(false, m.Reason));
        });
        Receive<ComputeLeaves>(m =>
        {
            if (_computer is null || !Sender.Equals(_coordinator)) return;
            _pending.Add(new Job(m.Step, m.Epoch, m.Batch, m.FirstLeaf, m.EndLeaf));
            Compute();
        });
        Receive<WeightsReady>(_ =>
        {
            while (_link is not null && _link.TryTakeWeights(out var weights)) OnWeights(weights);
        });
        Receive<TensorChunk>(OnChunk);
        Receive<LinkClosed>(m => Disconnect($"the tensor link closed ({m.Reason})"));
        Receive<PauseTraining>(m => { if (FromCoordinator()) _replica?.Pause(m.View); });
        Receive<InstallView>(m =>
        {
            if (!FromCoordinator() || _replica is null || _replica.Install(m)) return;
            Disconnect($"view {m.View} does not include this worker");
        });
        Receive<PeerFramesReady>(_ => _replica?.TakeFrames());
        Receive<PeerLinkClosed>(m => _log.Debug("peer {0} closed its link: {1}", m.PeerId, m.Reason));
        Receive<RejoinRun>(m => { if (FromCoordinator()) Disconnect($"the coordinator dropped this worker: {m.Reason}"); });
        Receive<Terminated>(m => { if (m.ActorRef.Equals(_coordinator)) Disconnect("the coordinator stopped"); });
    }

    protected override void PreStart()
    {
        AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));
        Timers.StartPeriodicTimer("register", new Tick(), _setup.Settings.RegisterInterval);
    }

    protected override void PostStop()
    {
        AkkaCluster.Get(Context.System).Unsubscribe(Self);
        _fetching?.Cancel();
        _link?.Dispose();
        _peers?.Dispose();
    }

    bool FromCoordinator() => _coordinator is not null && Sender.Equals(_coordinator);

    void Register()
    {
        if (_coordinator is not null || _coordinatorAddress is null || _fetching is not null) return;
        var selection = Context.ActorSelection(new RootActorPath(_coordinatorAddress) / "user" / CoordinatorActor.Name);
        selection.Tell(new RegisterWorker(_setup.WorkerId, _setup.Cores, _fingerprint));
    }

    /// <summary>
    /// The coordinator offers its data to this worker, which registered without: fetch it off the actor's
    /// thread, then register with its fingerprint, which the coordinator checks as any worker's.
    /// </summary>
    void Offered(DataOffered m)
    {
        if (_train is not null || _fetching is not null || _coordinator is not null) return;
        if (_setup.FetchData is not { } fetch)
        {
            Stop(new WorkerStopped(true, "the coordinator offers its data, but this worker cannot fetch data"));
            return;
        }
        _setup.Joined?.Invoke();
        _log.Info("fetching the run's data {0} ({1} bytes) from {2}", m.DataFingerprint, m.Bytes, m.Endpoint);
        var fetching = _fetching = new CancellationTokenSource();
        var coordinator = Sender;
        Task.Run(() => fetch(m, fetching.Token), fetching.Token).ContinueWith<object>(t => t.IsCompletedSuccessfully
                ? new DataReady(t.Result.Train, t.Result.Fingerprint)
                : new DataFailed(t.Exception?.GetBaseException(), m.Endpoint, coordinator),
            TaskScheduler.Default).PipeTo(Self);
    }

    void Accepted(WorkerAccepted m)
    {
        if (_coordinator is not null || _train is null) return;
        var spec = m.Model.ToSpec();
        var plan = m.Plan.ToPlan();
        if (m.Recipe is not null)
        {
            AcceptedAsPeer(m, spec, plan);
            return;
        }
        try
        {
            _model = new Mlp(spec);
            _plan = plan;
            _computer = new LocalGradientEngine(_model, _train!, plan, _setup.Cores);
            // Before the link opens: the coordinator counts this worker in once it computes at speed.
            _computer.WarmUp();
            _link = m.TensorEndpoint.Length == 0
                ? new ChunkedWorkerLink(Sender, Self, m.RunToken, _setup.Settings.ChunkBytes, _chunkWeights = new BufferPool(_model.Layout.Count))
                : new TensorClient(m.TensorEndpoint, _setup.WorkerId, m.RunToken, _model.Layout.Count, Self, _setup.Settings.SocketBufferBytes, _setup.Settings.Trust);
            if (_setup.WrapLink is { } wrap) _link = wrap(_link);
        }
        catch (Exception e) when (IsUnreachable(e))
        {
            Unreachable(m.TensorEndpoint, e.Message);
            _model = null;
            _computer = null;
            return; // the next tick registers again
        }
        catch (Exception e) when (e is ArgumentException or System.Net.Sockets.SocketException or IOException)
        {
            _log.Error("cannot join the run: {0}", e.Message);
            _model = null;
            _computer = null;
            return; // the next tick registers again
        }
        _chunks = _chunkWeights is null ? null : new ChunkAssembler(_chunkWeights);
        _coordinator = Sender;
        _token = m.RunToken;
        Context.Watch(Sender);
        _setup.Joined?.Invoke();
        _log.Info("joined the run: model {0}, {1}", spec, m.TensorEndpoint.Length == 0 ? "tensors as Akka messages" : $"tensors on {m.TensorEndpoint}");
    }

    void AcceptedAsPeer(WorkerAccepted m, Core.Model.ModelSpec spec, TrainingPlan plan)
    {
        try
        {
            _model = new Mlp(spec);
            _plan = plan;
            _computer = new LocalGradientEngine(_model, _train!, plan, _setup.Cores,
                m.Recipe!.Bf16 ? Core.Determinism.GradientPrecision.BFloat16 : Core.Determinism.GradientPrecision.Float32);
            // Before it says it is ready: the coordinator counts this worker in once it computes at speed.
            _computer.WarmUp();
            var address = TensorAddress.Of(_setup.Settings, Context.System);
            int parameters = _model.Layout.Count;
            _peers = new PeerLinks(_setup.WorkerId, address.BindHost, address.BindPort, m.RunToken, _model.NodeLength, TrainerState.MaxLength(parameters), Self,
                _setup.Settings.SocketBufferBytes, warning => _log.Warning(warning), _setup.Settings.Trust, advertise: address.Advertised);
            var coordinator = Sender;
            _replica = new PeerReplica(_setup.WorkerId, _model, plan, m.Recipe!, _computer, _peers, m.RunToken, m.TensorEndpoint,
                message => coordinator.Tell(message, Self), warning => _log.Warning(warning),
                step => _allocation.StepSent(step, _peers?.AllocatedBytes ?? 0));
            _replica.WarmUp();
            // Opened now, so that the coordinator sees this worker's connection close the moment its process dies.
            if (_peers.TryConnect(InstallView.Coordinator, m.TensorEndpoint) is { } error)
            {
                if (IsUnreachable(error)) Unreachable(m.TensorEndpoint, error.Message);
                else _log.Error("cannot join the run: {0}", $"the coordinator's tensor endpoint {m.TensorEndpoint}: {error.Message}");
                _peers.Dispose();
                _peers = null;
                _replica = null;
                _model = null;
                _computer = null;
                return; // the next tick registers again
            }
        }
        catch (Exception e) when (e is ArgumentException or System.Net.Sockets.SocketException or IOException)
        {
            _log.Error("cannot join the run: {0}", e.Message);
            _peers?.Dispose();
            _peers = null;
            _replica = null;
            _model = null;
            _computer = null;
            return; // the next tick registers again
        }
        _coordinator = Sender;
        _token = m.RunToken;
        Context.Watch(Sender);
        _setup.Joined?.Invoke();
        Sender.Tell(new WorkerReady(_setup.WorkerId, _peers.Endpoint));
        _log.Info("joined the run: model {0}, peer-to-peer reduction, listening on {1}", spec, _peers.Endpoint);
    }

    /// <summary>A connection that was never made (refused, timed out, no route), as opposed to one refused at its TLS handshake.</summary>
    static bool IsUnreachable(Exception e)
        => e is System.Net.Sockets.SocketException or TimeoutException
           || e is IOException { InnerException: System.Net.Sockets.SocketException or ObjectDisposedException } && !e.Message.StartsWith("TLS", StringComparison.Ordinal);

    /// <summary>
    /// The tensor endpoint the coordinator advertised cannot be reached from here, though its Akka port
    /// can: one line that names the endpoint, the error and the setting to fix; and the coordinator is told.
    /// </summary>
    void Unreachable(string endpoint, string error, IActorRef? coordinator = null)
    {
        string line = $"cannot open the tensor link to {endpoint}, the tensor endpoint the coordinator advertises ({error}); "
                      + "this node reaches the coordinator's Akka port but not that endpoint: on the coordinator, set actormlp.cluster.tensor-public-host "
                      + "and tensor-public-port (--tensor-public-host, --tensor-public-port) to an address and port workers reach, or open that port to them";
        if (_linkFailures.Admit(line) is { } admitted) _log.Error(admitted);
        (coordinator ?? Sender).Tell(new TensorLinkFailed(_setup.WorkerId, endpoint, error));
    }

    void OnChunk(TensorChunk chunk)
    {
        if (_chunks is null || !Sender.Equals(_coordinator) || chunk.Kind != TensorKind.Weights || chunk.RunToken != _token) return;
        try
        {
            if (_chunks.Add("coordinator", chunk) is { } weights) OnWeights(new WeightsArrived(chunk.Step, weights));
        }
        catch (InvalidDataException e) { _log.Warning("rejected a weights chunk of step {0}: {1}", chunk.Step, e.Message); }
    }

    void OnWeights(WeightsArrived m)
    {
        if (_link is null) return;
        if (_weights is { } old)
        {
            if (old.Step > m.Step) { _link.ReturnWeights(m.Weights); return; }
            _link.ReturnWeights(old.Buffer);
        }
        _weights = (m.Step, m.Weights, m.ArrivedAt, m.ReadMicros);
        _chunks?.DropBefore(m.Step);
        // Not RemoveAll: its lambda would capture m, an allocation per step.
        for (int i = _pending.Count - 1; i >= 0; i--)
            if (_pending[i].Step < m.Step) _pending.RemoveAt(i);
        if (m.EndLeaf > m.FirstLeaf && _plan is not null)
        {
            var a = _plan.Assignment(m.Step);
            _pending.Add(new Job(m.Step, a.Epoch, a.Batch, m.FirstLeaf, m.EndLeaf));
        }
        Compute();
    }

    void Compute()
    {
        if (_weights is not { } weights || _computer is null || _link is null) return;
        long begin = System.Diagnostics.Stopwatch.GetTimestamp(), compute = 0, sent = 0;
        bool computed = false;
        for (int i = 0; i < _pending.Count; i++)
        {
            var job = _pending[i];
            if (job.Step != weights.Step) continue;
            _pending.RemoveAt(i--);
            var step = new StepAssignment(job.Step, job.Epoch, job.Batch);
            TreeNode.Cover(job.FirstLeaf, job.EndLeaf, _nodes);
            foreach (var node in _nodes)
            {
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                var value = _computer.ComputeNode(weights.Buffer, step, node);
                long t1 = System.Diagnostics.Stopwatch.GetTimestamp();
                try { _link.SendSubtree(job.Step, node, value); }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    Disconnect($"sending a subtree failed ({e.Message})");
                    return;
                }
                compute += t1 - t0;
                sent += System.Diagnostics.Stopwatch.GetTimestamp() - t1;
                computed = true;
            }
        }
        if (computed && !SendTiming(weights.Step, begin, compute, sent, weights.ArrivedAt, weights.ReadMicros)) return;
        _allocation.StepSent(weights.Step, _link.AllocatedBytes);
    }

    /// <summary>Tells the coordinator how this worker spent the step, behind its subtrees; false when the link broke.</summary>
    bool SendTiming(long step, long begin, long compute, long sent, long arrivedAt, long readMicros)
    {
        long frequency = System.Diagnostics.Stopwatch.Frequency;
        var timing = new StepTiming(readMicros, arrivedAt == 0 ? 0 : StepTiming.Micros(arrivedAt, begin),
            compute * 1_000_000 / frequency, sent * 1_000_000 / frequency, _idleSince == 0 ? 0 : StepTiming.Micros(_idleSince, begin));
        try { _link!.SendTiming(step, timing); }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            Disconnect($"sending a step's timing failed ({e.Message})");
            return false;
        }
        _idleSince = System.Diagnostics.Stopwatch.GetTimestamp();
        return true;
    }

    /// <summary>Forgets the run; the periodic tick registers again if a coordinator comes back.</summary>
    void Disconnect(string reason)
    {
        if (_coordinator is null) return;
        _log.Warning("lost the coordinator: {0}", reason);
        Context.Unwatch(_coordinator);
        _coordinator = null;
        _link?.Dispose();
        _link = null;
        _peers?.Dispose();
        _peers = null;
        _replica = null;
        _computer = null;
        _weights = null;
        _idleSince = 0;
        _pending.Clear();
    }

    void Stop(WorkerStopped stopped)
    {
        _setup.Stopped(stopped with { Allocation = _allocation.Report() });
        Context.Stop(Self);
    }
}
