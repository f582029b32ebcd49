using System.Diagnostics;
using System.Numerics.Tensors;
using System.Security.Cryptography;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Cluster.Watch;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Training;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cluster.Actors;

/// <summary>
/// Runs synchronous data-parallel training: each step it gives every live worker a contiguous range
/// of leaves (balanced by cores) with the step's weights, gathers the subtree values into the
/// canonical reduction tree, applies the optimizer to the root and starts the next step. Leaves of
/// a worker that is lost are given to the others within the same step; copies and stale values are
/// dropped, malformed ones refused, so the weights never depend on who computed what. With
/// verify-fraction some subtrees are computed again here (<see cref="SpotCheck"/>); a worker whose
/// bits differ is dropped for the rest of the run and the step starts over without it.
/// Phases, each a behaviour: <see cref="Gathering"/> until enough workers are ready, <see cref="Training"/>,
/// then <see cref="Draining"/> (a traced run waiting for the last timings) and <see cref="Finished"/>.
/// </summary>
internal sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    public const string Name = "coordinator";

    sealed record StartTimedOut : INoSerializationVerificationNeeded;
    sealed record DeadlinePassed(long Step) : INoSerializationVerificationNeeded;
    sealed record NoWorkerTimedOut : INoSerializationVerificationNeeded;
    sealed record DrainTimedOut : INoSerializationVerificationNeeded;

    /// <summary>How long the end of a traced run waits for the workers' timings of its last step.</summary>
    static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(2);

    readonly CoordinatorSetup _setup;
    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly WorkerRoster _workers = new();
    readonly TreeAssembler _assembler;
    readonly LeafOwners _owner;
    readonly BufferPool _nodes;
    readonly WeightsSnapshot.Pool _snapshots;
    readonly ChunkAssembler _chunks;
    readonly Action<float[]> _returnNode;
    readonly long _token = Random.Shared.NextInt64(1, long.MaxValue);
    readonly Stopwatch _trainTime = new();
    readonly Stopwatch _stepTime = new();
    readonly StepDeadline _deadline;
    readonly StepWatch _watch;
    readonly SpotCheck? _spotCheck;
    // Workers caught sending a wrong subtree, by id and by node: they are refused for the rest of the run.
    readonly HashSet<string> _dropped = [];
    readonly HashSet<Address> _droppedAt = [];
    TensorServer? _server;
    // A worker that cannot open its tensor link registers again each second: one line, then one per window.
    readonly LogThrottle _linkFailures = new(TimeSpan.FromSeconds(30));
    WeightsSnapshot? _snapshot;
    // The next step's weights, written by the optimizer in its pass; null when they must be copied.
    WeightsSnapshot? _next;
    StepAssignment? _inFlight;
    bool _waitingLogged;
    long _lastStep = -1;
    (string Worker, Stopwatch Since)? _recovering;

    public ITimerScheduler Timers { get; set; } = null!;

    public CoordinatorActor(CoordinatorSetup setup)
    {
        _setup = setup;
        int leaves = setup.Trainer.Plan.MicroShards;
        _assembler = new TreeAssembler(leaves);
        _owner = new LeafOwners(leaves, _assembler.IsCovered);
        _nodes = new BufferPool(setup.Model.NodeLength);
        _snapshots = new WeightsSnapshot.Pool(setup.Model.Layout.Count, setup.Settings.WirePrecision == WirePrecision.Bf16);
        _chunks = new ChunkAssembler(_nodes);
        _returnNode = _nodes.Return;
        _deadline = new StepDeadline(setup.Settings.DeadlineFloor, setup.Settings.DeadlineFactor);
        _watch = new StepWatch(setup.Trace, new StragglerDetector(setup.Settings.StragglerWindow, setup.Settings.StragglerFactor), setup.Trainer.Plan.Batch,
            timings: setup.Settings.TensorLink == TensorLinkKind.Socket);
        if (setup.Settings.VerifyFraction > 0)
        {
            var samples = setup.Samples ?? throw new ArgumentException("verify-fraction needs the training data at the coordinator");
            // Drawn here and never sent: a worker that knew it could lie on the subtrees that go unchecked.
            byte[] key = RandomNumberGenerator.GetBytes(32);
            _spotCheck = new SpotCheck(setup.Settings.VerifyFraction, key, setup.Model, samples, setup.Trainer.Plan,
                bf16Wire: setup.Settings.WirePrecision == WirePrecision.Bf16);
        }

        Gathering();
    }

    /// <summary>Workers register and open their links; the run starts once <c>MinWorkers</c> of them are ready.</summary>
    void Gathering()
    {
        Receive<StartTimedOut>(_ =>
            Fail($"fewer than {_setup.Settings.MinWorkers} workers ready within {_setup.Settings.StartTimeout.TotalSeconds:F0} s{_workers.Unlinked(w => w.Ready)}"));
        Running("gathering", StartWhenReady);
    }

    /// <summary>Steps follow each other; leaves of a lost or late worker go to the others within the step.</summary>
    void Training()
    {
        Receive<DeadlinePassed>(m => { if (_inFlight?.Step == m.Step) Straggling(); });
        Receive<NoWorkerTimedOut>(_ =>
        {
            _setup.Observer.Checkpoint(_setup.Trainer);
            Fail($"no worker joined within {_setup.Settings.NoWorkerTimeout.TotalSeconds:F0} s of the last one leaving; the run can be resumed with --resume");
        });
        Running("training", AssignOrphans);
    }

    /// <summary>
    /// What both phases before the end handle alike. <paramref name="resume"/> runs when a worker becomes
    /// ready or is lost: gathering checks whether the run can start, training gives out orphaned leaves.
    /// </summary>
    void Running(string phase, Action resume)
    {
        Receive<RegisterWorker>(m => { if (Register(m)) resume(); });
        Receive<GetStatus>(_ => Sender.Tell(Status(phase)));
        Receive<WeightsWritten>(_watch.WeightsWritten);
        Receive<WorkerTimed>(m =>
        {
            if (_workers.Contains(m.WorkerId) && _watch.WorkerTimed(m) is { } straggler) _log.Warning("{0}", straggler);
        });
        Receive<LinkOpened>(m =>
        {
            if (!_workers.TryGet(m.WorkerId, out var w)) return;
            w.Ready = true;
            resume();
        });
        Receive<TensorLinkFailed>(m =>
        {
            if (_server is null) return;
            var failure = _workers.LinkFailure(m, Sender, w => w.Ready, _setup.Data is not null, _server.Bound);
            if (failure is not null && _linkFailures.Admit(failure) is { } line) _log.Warning(line);
        });
        Receive<LinkClosed>(m => { if (Lose(m.WorkerId, $"its tensor link closed ({m.Reason})")) resume(); });
        Receive<Terminated>(m => { if (ById(m.ActorRef) is { } w && Lose(w.Id, "its actor terminated")) resume(); });
        Receive<ClusterEvent.UnreachableMember>(m => { if (LoseAt(m.Member.Address, "its node is unreachable")) resume(); });
        Receive<ClusterEvent.MemberRemoved>(m => { if (LoseAt(m.Member.Address, "its node left the cluster")) resume(); });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<SubtreeArrived>(Accept);
        Receive<TensorChunk>(OnChunk);
        Receive<StopRun>(m =>
        {
            _log.Warning("stopping the run: {0}", m.Reason);
            _setup.Observer.Checkpoint(_setup.Trainer);
            End(RunStatus.Interrupted, m.Reason);
        });
    }

    protected override void PreStart()
    {
        if (_setup.Settings.TensorLink == TensorLinkKind.Socket)
        {
            var address = TensorAddress.Of(_setup.Settings, Context.System);
            var log = _log;
            _server = new TensorServer(address.BindHost, address.BindPort, _token, _nodes, Self, _setup.Settings.SocketBufferBytes,
                warning => _log.Warning(warning), _setup.Settings.Trust, reportWrites: _setup.Trace is not null,
                data: _setup.Data is null ? null : _setup.Data with { Log = line => log.Info(line) }, advertise: address.Advertised);
            _log.Info("tensor endpoint listening on {0}, advertised as {1}", _server.Bound, _server.Endpoint);
        }
        AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember));
        Timers.StartSingleTimer("start", new StartTimedOut(), _setup.Settings.StartTimeout);
    }

    protected override void PostStop()
    {
        AkkaCluster.Get(Context.System).Unsubscribe(Self);
        _server?.Dispose();
        _watch.Dispose();
        _setup.Done.TrySetResult(new RunOutcome(RunStatus.Failed, "the coordinator stopped before the run finished", _trainTime.Elapsed.TotalSeconds, _workers.Seen));
    }

    /// <summary>Answers a worker's registration; true when it changed who is ready (a new ready worker, or one lost by registering again).</summary>
    bool Register(RegisterWorker m)
    {
        if (_dropped.Contains(m.WorkerId) || _droppedAt.Contains(Sender.Path.Address))
        {
            string dropped = $"worker {m.WorkerId} at {Sender.Path.Address} was dropped from this run for sending a wrong subtree";
            _log.Warning("refused {0}", dropped);
            Sender.Tell(new WorkerRefused(dropped));
            return false;
        }
        if (m.Fingerprint.Length == 0)
        {
            var answer = WorkerRoster.AnswerWithoutData(m, _setup.Data, _server?.Endpoint, _token);
            if (answer is WorkerRefused refused) _log.Warning("refused {0}", refused.Reason);
            else _log.Info("worker {0} has no data; offering it the run's data pack of {1} bytes", m.WorkerId, _setup.Data!.Pack.Length);
            Sender.Tell(answer);
            return false;
        }
        if (WorkerRoster.Refusal(m, _setup.Fingerprint) is { } reason)
        {
            _log.Warning("refused {0}", reason);
            Sender.Tell(new WorkerRefused(reason));
            return false;
        }
        bool lost = false;
        if (_workers.TryGet(m.WorkerId, out var existing))
        {
            if (existing.Actor.Equals(Sender))
            {
                // The worker asks again: the reply was lost, or it could not open its tensor link. Answer again.
                if (!existing.Ready) Sender.Tell(Accepted());
                return false;
            }
            lost = Lose(existing.Id, "it registered again");
        }
        var worker = _workers.Add(m, Sender);
        TrainingMetrics.Workers(_workers.All.Count());
        Context.Watch(Sender);
        _log.Info("worker {0} registered from {1} with {2} cores", m.WorkerId, worker.Address, worker.Cores);
        _server?.Admit(m.WorkerId);
        Sender.Tell(Accepted());
        // Without a tensor server there is no link to wait for.
        if (_server is null) worker.Ready = true;
        return lost || worker.Ready;
    }

    WorkerAccepted Accepted() => new(_token, ModelMessage.From(_setup.Model.Spec), PlanMessage.From(_setup.Trainer.Plan), _server?.Endpoint ?? "");

    RegisteredWorker? ById(IActorRef actor) => _workers.ByActor(actor);

    bool LoseAt(Address address, string reason)
    {
        bool lost = false;
        foreach (var id in _workers.At(address)) lost |= Lose(id, reason);
        return lost;
    }

    /// <summary>Forgets a worker and takes its leaves back; false when it was not registered. The caller gives the leaves out again.</summary>
    bool Lose(string id, string reason)
    {
        if (!_workers.Remove(id, out var worker)) return false;
        Context.Unwatch(worker.Actor);
        _server?.Close(id);
        _log.Warning("worker {0} is lost: {1}", id, reason);
        TrainingMetrics.Workers(_workers.All.Count());
        _watch.Lost(id);
        int orphans = _owner.Release(id);
        if (_inFlight is not null) TrainingMetrics.LeavesReassigned(orphans);
        if (orphans > 0 && _recovering is null) _recovering = (id, Stopwatch.StartNew());
        return true;
    }

    /// <summary>Starts training once enough workers are ready.</summary>
    void StartWhenReady()
    {
        if (_workers.All.Count(w => w.Ready) < _setup.Settings.MinWorkers) return;
        Timers.Cancel("start");
        Become(Training);
        StartStep();
    }

    void StartStep()
    {
        var trainer = _setup.Trainer;
        if (trainer.Finished)
        {
            Finish();
            return;
        }
        _trainTime.Start();
        var step = trainer.Current;
        _inFlight = step;
        _assembler.Clear(_returnNode);
        _chunks.DropBefore(step.Step);
        _owner.Clear();
        _snapshot?.Release();
        _snapshot = _next is { } next ? _snapshots.Seal(next, step.Step) : _snapshots.Take(step.Step, trainer.Parameters);
        _next = null;
        _stepTime.Restart();
        _watch.StepStarted();
        AssignOrphans();
        Timers.StartSingleTimer("deadline", new DeadlinePassed(step.Step), Deadline());
    }

    TimeSpan Deadline() => _deadline.Next();

    /// <summary>
    /// The step is late: every worker still holding undone leaves has them also given to the workers
    /// that have finished theirs. Whichever copy arrives first is used; the other is dropped.
    /// </summary>
    void Straggling()
    {
        var late = _owner.Holding();
        var idle = _workers.All.Where(w => w.Ready && !late.Contains(w.Id)).OrderBy(w => w.Id, StringComparer.Ordinal).ToList();
        if (late.Count > 0 && idle.Count > 0)
            SplitRuns(owner => owner is not null && late.Contains(owner), idle, (owner, first, end) =>
            {
                TrainingMetrics.LeavesReassigned(end - first);
                _log.Warning("worker {0} is late with leaves {1}..{2} of step {3}; also giving them to {4}",
                    owner, first, end - 1, _inFlight!.Value.Step, string.Join(", ", idle.Select(w => w.Id)));
            });
        Timers.StartSingleTimer("deadline", new DeadlinePassed(_inFlight!.Value.Step), Deadline());
    }

    /// <summary>Splits every run of uncovered, unowned leaves of the step in flight across the ready workers by cores.</summary>
    void AssignOrphans()
    {
        if (_inFlight is null) return;
        var live = _workers.All.Where(w => w.Ready).OrderBy(w => w.Id, StringComparer.Ordinal).ToList();
        if (live.Count == 0)
        {
            if (!_waitingLogged)
            {
                _log.Warning("no worker is left; waiting up to {0} s for one to join", _setup.Settings.NoWorkerTimeout.TotalSeconds);
                Timers.StartSingleTimer("no-worker", new NoWorkerTimedOut(), _setup.Settings.NoWorkerTimeout);
            }
            _waitingLogged = true;
            return;
        }
        if (_waitingLogged)
        {
            _log.Warning("worker {0} joined; training resumes", string.Join(", ", live.Select(w => w.Id)));
            Timers.Cancel("no-worker");
        }
        _waitingLogged = false;
        SplitRuns(owner => owner is null, live);
    }

    /// <summary>
    /// Every run of uncovered leaves with one owner that <paramref name="select"/> picks is split across
    /// <paramref name="workers"/> by cores; <paramref name="report"/> hears of each run first.
    /// </summary>
    void SplitRuns(Func<string?, bool> select, List<RegisteredWorker> workers, Action<string?, int, int>? report = null)
    {
        var cores = workers.Select(w => w.Cores).ToList();
        foreach (var (owner, first, end) in _owner.Runs(select))
        {
            report?.Invoke(owner, first, end);
            var ranges = LeafRanges.Split(first, end, cores);
            for (int i = 0; i < workers.Count; i++) Assign(workers[i], ranges[i].Start, ranges[i].End);
        }
    }

    void Assign(RegisteredWorker worker, int first, int end)
    {
        if (end <= first || _inFlight is not { } step || _snapshot is null) return;
        _owner.Assign(first, end, worker.Id);
        _watch.Assigned(worker.Id, step.Step);
        if (worker.WeightsStep != step.Step)
        {
            worker.WeightsStep = step.Step;
            if (_server is not null)
            {
                // The weights frame names the leaves: an Akka message as well would only wake the
                // worker's remoting threads while it computes.
                _server.SendWeights(worker.Id, _snapshot, first, end);
                return;
            }
            ChunkAssembler.Send(worker.Actor, Self, _token, step.Step, TensorKind.Weights, 0, 0, _snapshot.Values, _setup.Settings.ChunkBytes);
        }
        worker.Actor.Tell(new ComputeLeaves(step.Step, step.Epoch, step.Batch, first, end));
    }

    void OnChunk(TensorChunk chunk)
    {
        var worker = ById(Sender);
        if (worker is null || chunk.Kind != TensorKind.Subtree || chunk.RunToken != _token)
        {
            _log.Warning("rejected a tensor chunk of step {0} from {1}: not a subtree of a registered worker of this run", chunk.Step, Sender.Path);
            return;
        }
        float[]? value;
        try { value = _chunks.Add(worker.Id, chunk); }
        catch (InvalidDataException e)
        {
            _log.Warning("rejected a chunk of step {0} from worker {1}: {2}", chunk.Step, worker.Id, e.Message);
            return;
        }
        if (value is not null) Accept(new SubtreeArrived(worker.Id, chunk.Step, new TreeNode(chunk.Level, chunk.Index), value));
    }

    void Accept(SubtreeArrived m)
    {
        string? problem = Check(m);
        if (problem is null && _spotCheck is not null && _spotCheck.Picks(m.Step, m.Node))
        {
            if (!_spotCheck.Confirms(_snapshot!, _inFlight!.Value, m.Node, m.Value))
            {
                Refute(m);
                return;
            }
            TrainingMetrics.SubtreeVerified();
        }
        if (problem is not null || !_assembler.TryAdd(m.Node, m.Value))
        {
            if (problem is not null && problem != "stale") _log.Warning("rejected {0} of step {1} from worker {2}: {3}", m.Node, m.Step, m.WorkerId, problem);
            _nodes.Return(m.Value);
            return;
        }
        _watch.SubtreeAccepted();
        if (_assembler.Complete) CompleteStep();
    }

    /// <summary>
    /// A worker sent a subtree whose bits differ from this coordinator's own computation of it: it is
    /// dropped and refused for the rest of the run. Whatever else of the step came from it may be wrong
    /// too and is already summed in, so the step starts over: every leaf goes to the other workers.
    /// </summary>
    void Refute(SubtreeArrived m)
    {
        _nodes.Return(m.Value);
        TrainingMetrics.SubtreeRefused();
        var node = m.Node;
        string reason = $"its subtree of step {m.Step}, leaves {node.FirstLeaf}–{node.EndLeaf - 1}, differs from the recomputation";
        _log.Error("worker {0} sent a wrong subtree: {1}; it is dropped from the run and step {2} starts over without it", m.WorkerId, reason, m.Step);
        if (_workers.TryGet(m.WorkerId, out var liar))
        {
            _dropped.Add(liar.Id);
            _droppedAt.Add(liar.Address);
            liar.Actor.Tell(new WorkerRefused($"the coordinator dropped worker {liar.Id} from the run: {reason}"));
        }
        _assembler.Clear(_returnNode);
        _owner.Clear();
        Lose(m.WorkerId, reason);
        AssignOrphans();
    }

    string? Check(SubtreeArrived m)
    {
        if (_inFlight is not { } step || m.Step != step.Step) return "stale";
        if (!_workers.Contains(m.WorkerId)) return "unknown sender";
        var node = m.Node;
        if (!node.IsIn(_owner.Count)) return "no such tree node";
        if (m.Value.Length != _setup.Model.NodeLength) return $"{m.Value.Length} floats where {_setup.Model.NodeLength} are expected";
        if (!AllFinite(m.Value)) return "it holds NaN or infinity";
        return null;
    }

    /// <summary>NaN and ±∞ make the (vectorized) sum non-finite; only then are the values looked at one by one, since finite values can also overflow a float sum.</summary>
    static bool AllFinite(ReadOnlySpan<float> values)
    {
        float sum = TensorPrimitives.Sum(values);
        if (float.IsFinite(sum)) return true;
        foreach (float v in values) if (!float.IsFinite(v)) return false;
        return true;
    }

    void CompleteStep()
    {
        var trainer = _setup.Trainer;
        var step = _inFlight!.Value;
        _inFlight = null;
        Timers.Cancel("deadline");
        if (_recovering is { } r)
        {
            _log.Warning("step {0} completed {1:F2} s after worker {2} was lost with leaves of it undone", step.Step, r.Since.Elapsed.TotalSeconds, r.Worker);
            _recovering = null;
        }
        _deadline.StepTook(_stepTime.Elapsed.TotalSeconds);
        _lastStep = step.Step;
        try
        {
            long optimizerStart = _watch.Reduced(step.Step);
            var (left, right) = _assembler.RootHalves();
            _next = _snapshots.Rent();
            bool epochEnded = trainer.Apply(left, right, _next.Values);
            _watch.Optimized(step.Step, optimizerStart);
            _trainTime.Stop();
            _setup.Observer.StepApplied(trainer, step, epochEnded, _trainTime.Elapsed.TotalSeconds);
            if (epochEnded) trainer.StartEpoch();
        }
        catch (Exception e) when (e is ArithmeticException or IOException or UnauthorizedAccessException)
        {
            Fail(e.Message);
            return;
        }
        StartStep();
    }

    void Finish() => End(RunStatus.Finished, "finished");

    void Fail(string message)
    {
        _log.Error("the run failed: {0}", message);
        End(RunStatus.Failed, message);
    }

    void End(RunStatus status, string message)
    {
        Timers.CancelAll();
        _next?.Release();
        _next = null;
        string reason = status switch
        {
            RunStatus.Finished => "the run is finished",
            RunStatus.Interrupted => $"the run was stopped: {message}",
            _ => $"the run failed: {message}",
        };
        foreach (var w in _workers.All) w.Actor.Tell(new StopWorking(reason));
        _trainTime.Stop();
        string phase = status switch { RunStatus.Finished => "finished", RunStatus.Interrupted => "stopped", _ => "failed" };
        var outcome = new RunOutcome(status, message, _trainTime.Elapsed.TotalSeconds, _workers.Seen);
        if (status == RunStatus.Finished && _watch.Owed(_lastStep))
        {
            // The workers' timings of the last step come right behind its subtrees: the trace waits for them.
            Timers.StartSingleTimer("drain", new DrainTimedOut(), DrainTimeout);
            Become(() => Draining(outcome, phase));
            return;
        }
        Conclude(outcome, phase);
    }

    void Conclude(RunOutcome outcome, string phase)
    {
        Timers.CancelAll();
        _watch.Dispose();
        _setup.Done.TrySetResult(outcome);
        Become(() => Finished(phase));
    }

    /// <summary>The run is over but its trace still lacks workers' timings of the last step.</summary>
    void Draining(RunOutcome outcome, string phase)
    {
        Receive<WorkerTimed>(m =>
        {
            _watch.WorkerTimed(m);
            if (!_watch.Owed(_lastStep)) Conclude(outcome, phase);
        });
        Receive<WeightsWritten>(_watch.WeightsWritten);
        Receive<LinkClosed>(m =>
        {
            _watch.Lost(m.WorkerId);
            if (!_watch.Owed(_lastStep)) Conclude(outcome, phase);
        });
        Receive<DrainTimedOut>(_ => Conclude(outcome, phase));
        Finished(phase);
    }

    StatusReported Status(string phase) => _watch.Report(phase, _setup.Trainer, _workers.All.Select(w => (w.Id, w.Cores)));

    /// <summary>After the run: workers still registering are told to stop; everything else is over.</summary>
    void Finished(string phase)
    {
        Receive<GetStatus>(_ => Sender.Tell(Status(phase)));
        Receive<RegisterWorker>(_ => Sender.Tell(new StopWorking("the run is over")));
        Receive<SubtreeArrived>(m => _nodes.Return(m.Value));
        ReceiveAny(_ => { });
    }
}
