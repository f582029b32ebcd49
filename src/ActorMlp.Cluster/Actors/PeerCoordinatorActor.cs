using System.Diagnostics;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Peer;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Cluster.Watch;
using ActorMlp.Core.Training;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cluster.Actors;

/// <summary>
/// Runs a peer-to-peer run as its control plane: membership, the view (who computes which leaves and
/// owns which slice), the step clock and the run's record. The workers reduce among themselves and
/// each applies the optimizer to its own replica; the coordinator carries no tensor per step. It counts
/// each step from the first worker that reports it, and takes a replica's state — to evaluate,
/// checkpoint and finish — at the steps where the replicas wait for it (epoch ends, every N steps, the end).
/// Its phases are states: Gathering (too few workers), Pausing (a membership change: every worker stops
/// and says where it is), Stepping and Finished. Every change of membership — a worker lost, joining,
/// or late past the step deadline — goes through a pause and a new view planned by <see cref="ViewPlanner"/>.
/// </summary>
internal sealed class PeerCoordinatorActor : ReceiveActor, IWithTimers
{
    sealed record StartTimedOut : INoSerializationVerificationNeeded;
    sealed record NoWorkerTimedOut : INoSerializationVerificationNeeded;
    sealed record PauseTimedOut(int View) : INoSerializationVerificationNeeded;
    sealed record DeadlinePassed(long Step) : INoSerializationVerificationNeeded;

    readonly CoordinatorSetup _setup;
    readonly PeerRecipe _recipe;
    readonly ILoggingAdapter _log = Context.GetLogger();
    readonly WorkerRoster _workers = new();
    readonly long _token = Random.Shared.NextInt64(1, long.MaxValue);
    readonly Stopwatch _trainTime = new();
    readonly Stopwatch _sinceStep = new();
    readonly StepDeadline _deadline;
    // Steps and rate only: the replicas reduce among themselves and report no timings.
    readonly StepWatch _watch;
    string _phase = "gathering";
    // Step metrics counted since the coordinator's last state, so it can step back to the state it holds.
    readonly List<(double Loss, double Correct)> _records = [];
    readonly Dictionary<string, long> _paused = new();
    readonly Dictionary<long, (float Loss, float Correct)> _ahead = new();
    PeerLinks _links = null!;
    // A worker that cannot open its tensor link registers again each second: one line, then one per window.
    readonly LogThrottle _linkFailures = new(TimeSpan.FromSeconds(30));
    TrainerState _state;
    bool _fromSeed, _started, _waitingLogged;
    int _view;
    InstallView? _current;
    // States that came before the coordinator counted their step: the replicas do not wait for it.
    readonly Dictionary<long, TrainerState> _early = new();
    long _awaited = -1, _notified;
    string? _stopping;
    (string Worker, Stopwatch Since)? _recovering;

    public ITimerScheduler Timers { get; set; } = null!;

    Trainer Trainer => _setup.Trainer;

    public PeerCoordinatorActor(CoordinatorSetup setup)
    {
        _setup = setup;
        _recipe = setup.Peer ?? throw new ArgumentException("a peer-to-peer coordinator needs a recipe");
        _deadline = new StepDeadline(setup.Settings.DeadlineFloor, setup.Settings.DeadlineFactor);
        _watch = new StepWatch(null, null, setup.Trainer.Plan.Batch, timings: false);
        _state = TrainerState.Capture(setup.Trainer);
        _fromSeed = setup.Trainer.Step == 0 && !setup.Resumed;
        _notified = setup.Trainer.Step;
        Become(Gathering);
    }

    protected override void PreStart()
    {
        var address = TensorAddress.Of(_setup.Settings, Context.System);
        int parameters = _setup.Model.Layout.Count;
        var log = _log;
        _links = new PeerLinks(InstallView.Coordinator, address.BindHost, address.BindPort, _token, _setup.Model.NodeLength,
            TrainerState.MaxLength(parameters), Self,
            _setup.Settings.SocketBufferBytes, warning => _log.Warning(warning), _setup.Settings.Trust,
            _setup.Data is null ? null : _setup.Data with { Log = line => log.Info(line) }, address.Advertised)
        {
            // A worker is admitted when it registers, before it is told this endpoint: no hello has a view to wait for.
            AdmissionTimeout = TimeSpan.Zero,
        };
        _log.Info("tensor endpoint listening on {0}, advertised as {1} (peer-to-peer reduction)", _links.Bound, _links.Endpoint);
        AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember));
        Timers.StartSingleTimer("start", new StartTimedOut(), _setup.Settings.StartTimeout);
    }

    protected override void PostStop()
    {
        AkkaCluster.Get(Context.System).Unsubscribe(Self);
        _links?.Dispose();
        _setup.Done.TrySetResult(new RunOutcome(RunStatus.Failed, "the coordinator stopped before the run finished", _trainTime.Elapsed.TotalSeconds, _workers.Seen));
    }

    // ---- states ----------------------------------------------------------------------------

    /// <summary>Too few workers to start, or none left: wait for them.</summary>
    void Gathering()
    {
        Membership();
        Receive<StartTimedOut>(_ =>
        {
            if (!_started) Fail($"fewer than {_setup.Settings.MinWorkers} workers ready within {_setup.Settings.StartTimeout.TotalSeconds:F0} s{_workers.Unlinked(w => w.Endpoint is not null)}");
        });
        Receive<NoWorkerTimedOut>(_ =>
        {
            StepBackTo(_state.Step);
            _setup.Observer.Checkpoint(Trainer);
            Fail($"no worker joined within {_setup.Settings.NoWorkerTimeout.TotalSeconds:F0} s of the last one leaving; the run can be resumed with --resume");
        });
        Receive<StopRun>(m =>
        {
            StepBackTo(_state.Step);
            _setup.Observer.Checkpoint(Trainer);
            End(RunStatus.Interrupted, m.Reason);
        });
        ReceiveAny(_ => { }); // timers of an earlier phase
    }

    /// <summary>A membership change: every ready worker stops and says where its replica is.</summary>
    void Pausing()
    {
        Membership();
        Receive<PauseTimedOut>(m =>
        {
            if (m.View != _view) return;
            foreach (var w in Ready.Where(w => !_paused.ContainsKey(w.Id)).ToList())
            {
                w.Actor.Tell(new RejoinRun($"it did not answer within {PauseTimeout.TotalSeconds:F1} s"));
                Lose(w.Id, $"it did not pause within {PauseTimeout.TotalSeconds:F1} s");
            }
            CheckPaused();
        });
        Receive<StopRun>(m => _stopping ??= m.Reason);
        Receive<NoWorkerTimedOut>(_ => { });
        ReceiveAny(_ => { }); // timers of an earlier phase
    }

    /// <summary>The members train; the coordinator counts steps and takes states.</summary>
    void Stepping()
    {
        Membership();
        Receive<DeadlinePassed>(m =>
        {
            if (m.Step != Trainer.Step) return;
            _log.Warning("step {0} is late ({1:F1} s); pausing to find the workers that hold it up", m.Step, _sinceStep.Elapsed.TotalSeconds);
            BeginPause();
        });
        Receive<StopRun>(m =>
        {
            _stopping = m.Reason;
            BeginPause();
        });
        Receive<NoWorkerTimedOut>(_ => { });
        ReceiveAny(_ => { }); // timers of an earlier phase
    }

    void Finished()
    {
        Receive<GetStatus>(_ => Sender.Tell(Status()));
        Receive<RegisterWorker>(_ => Sender.Tell(new StopWorking("the run is over")));
        Receive<PeerFramesReady>(_ => { while (_links.TryTake(out var f)) if (f.Values is { } v) _links.Return(v); });
        ReceiveAny(_ => { });
    }

    /// <summary>Registration and the signs of a lost worker, in every state but Finished.</summary>
    void Membership()
    {
        Receive<GetStatus>(_ => Sender.Tell(Status()));
        Receive<RegisterWorker>(Register);
        Receive<WorkerReady>(Ready_);
        Receive<TensorLinkFailed>(m =>
        {
            var failure = _workers.LinkFailure(m, Sender, w => w.Endpoint is not null, _setup.Data is not null, _links.Bound);
            if (failure is not null && _linkFailures.Admit(failure) is { } line) _log.Warning(line);
        });
        Receive<PeerFramesReady>(_ => TakeFrames());
        Receive<StepFailed>(m => Fail($"worker {m.WorkerId} could not apply step {m.Step}: {m.Reason}"));
        Receive<PeerLinkClosed>(m => Lose(m.PeerId, $"its tensor connection closed ({m.Reason})"));
        Receive<Terminated>(m => { if (ById(m.ActorRef) is { } w) Lose(w.Id, "its actor terminated"); });
        Receive<ClusterEvent.UnreachableMember>(m => LoseAt(m.Member.Address, "its node is unreachable"));
        Receive<ClusterEvent.MemberRemoved>(m => LoseAt(m.Member.Address, "its node left the cluster"));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    // ---- membership ------------------------------------------------------------------------

    IEnumerable<RegisteredWorker> Ready => _workers.All.Where(w => w.Endpoint is not null);

    RegisteredWorker? ById(IActorRef actor) => _workers.ByActor(actor);

    void Register(RegisterWorker m)
    {
        if (m.Fingerprint.Length == 0)
        {
            var answer = WorkerRoster.AnswerWithoutData(m, _setup.Data, _links.Endpoint, _token);
            if (answer is WorkerRefused refused) _log.Warning("refused {0}", refused.Reason);
            else _log.Info("worker {0} has no data; offering it the run's data pack of {1} bytes", m.WorkerId, _setup.Data!.Pack.Length);
            Sender.Tell(answer);
            return;
        }
        if (WorkerRoster.Refusal(m, _setup.Fingerprint) is { } reason)
        {
            _log.Warning("refused {0}", reason);
            Sender.Tell(new WorkerRefused(reason));
            return;
        }
        if (_workers.TryGet(m.WorkerId, out var existing))
        {
            if (existing.Actor.Equals(Sender))
            {
                if (existing.Endpoint is null) Sender.Tell(Accepted());
                return;
            }
            Lose(existing.Id, "it registered again");
        }
        var worker = _workers.Add(m, Sender);
        _links.Admit(m.WorkerId);
        TrainingMetrics.Workers(_workers.All.Count());
        Context.Watch(Sender);
        _log.Info("worker {0} registered from {1} with {2} cores", m.WorkerId, worker.Address, worker.Cores);
        Sender.Tell(Accepted());
    }

    WorkerAccepted Accepted() => new(_token, ModelMessage.From(_setup.Model.Spec), PlanMessage.From(Trainer.Plan), _links.Endpoint, _recipe);

    void Ready_(WorkerReady m)
    {
        if (!_workers.TryGet(m.WorkerId, out var w) || !w.Actor.Equals(Sender))
        {
            Sender.Tell(new RejoinRun("the coordinator does not know it"));
            return;
        }
        if (w.Endpoint is not null) return;
        w.Endpoint = m.Endpoint;
        _log.Info("worker {0} is ready; its peers reach it at {1}", w.Id, m.Endpoint);
        if (_started || Ready.Count() >= _setup.Settings.MinWorkers) BeginPause();
    }

    void LoseAt(Address address, string reason)
    {
        foreach (var id in _workers.At(address)) Lose(id, reason);
    }

    void Lose(string id, string reason)
    {
        if (!_workers.Remove(id, out var worker)) return;
        Context.Unwatch(worker.Actor);
        _links.Forget(id);
        _links.Revoke(id);
        _log.Warning("worker {0} is lost: {1}", id, reason);
        TrainingMetrics.Workers(_workers.All.Count());
        _paused.Remove(id);
        if (_current is not null && _current.Members.Contains(id))
        {
            _recovering ??= (id, Stopwatch.StartNew());
            BeginPause();
        }
        else if (_paused.Count > 0 || _current is null) CheckPaused();
    }

    // ---- pausing and views -----------------------------------------------------------------

    TimeSpan PauseTimeout => _setup.Settings.DeadlineFloor;

    void BeginPause()
    {
        _view++;
        _current = null;
        _paused.Clear();
        Timers.Cancel("deadline");
        var ready = Ready.ToList();
        if (ready.Count == 0)
        {
            WaitForWorkers();
            return;
        }
        foreach (var w in ready) w.Actor.Tell(new PauseTraining(_view));
        Timers.StartSingleTimer("pause", new PauseTimedOut(_view), PauseTimeout);
        Become(Pausing);
    }

    void CheckPaused()
    {
        if (_current is not null) return;
        var ready = Ready.ToList();
        if (ready.Count == 0)
        {
            if (_started || _stopping is not null) WaitForWorkers();
            return;
        }
        if (ready.Any(w => !_paused.ContainsKey(w.Id))) return;
        Timers.Cancel("pause");
        Install(ready);
    }

    void WaitForWorkers()
    {
        Timers.Cancel("pause");
        _current = null;
        if (_stopping is { } reason)
        {
            StepBackTo(_state.Step);
            _setup.Observer.Checkpoint(Trainer);
            End(RunStatus.Interrupted, reason);
            return;
        }
        if (_started && !_waitingLogged)
        {
            _log.Warning("no worker is left; waiting up to {0} s for one to join", _setup.Settings.NoWorkerTimeout.TotalSeconds);
            Timers.StartSingleTimer("no-worker", new NoWorkerTimedOut(), _setup.Settings.NoWorkerTimeout);
            _waitingLogged = true;
        }
        Become(Gathering);
    }

    void Install(List<RegisteredWorker> ready)
    {
        var candidates = ready.Select(w => new ViewCandidate(w.Id, w.Cores, w.Endpoint!, _paused[w.Id])).ToList();
        var view = ViewPlanner.Plan(_view, candidates, Trainer.Plan.MicroShards, _state.Step, _fromSeed, _awaited, hold: _stopping is not null);
        if (view.StateSource is InstallView.Seed or InstallView.Coordinator) StepBackTo(_state.Step);
        else if (view.Step < Trainer.Step) StepBackTo(view.Step);
        if (_awaited > view.Step) _awaited = -1;
        if (view.StateSource == InstallView.Coordinator)
        {
            byte[] state = _state.ToBytes();
            for (int i = 0; i < view.Members.Length; i++)
                _links.Send(view.Members[i], view.Endpoints[i],
                    new PeerFrameHeader(PeerFrameKind.State, 0, 0, 0, view.View, view.Step, _token, state.Length), state);
        }
        foreach (var w in ready) w.Actor.Tell(view);
        _current = view;
        if (_waitingLogged) Timers.Cancel("no-worker");
        _waitingLogged = false;
        _log.Info("view {0} from step {1}: {2}", view.View, view.Step,
            string.Join(", ", view.Members.Select((m, i) => $"{m} leaves {view.LeafStarts[i]}..{view.LeafEnds[i] - 1}")));
        if (!_started)
        {
            _started = true;
            _phase = "training";
            Timers.Cancel("start");
        }
        _trainTime.Start();
        _sinceStep.Restart();
        if (_stopping is not null) _awaited = view.Step;
        else Timers.StartSingleTimer("deadline", new DeadlinePassed(Trainer.Step), Deadline());
        Become(Stepping);
    }

    /// <summary>
    /// Puts the coordinator's trainer back to <paramref name="step"/>: its own state, then the metrics
    /// of the steps counted since, up to that step. Steps already told to the observer are not told again.
    /// </summary>
    void StepBackTo(long step)
    {
        if (step >= Trainer.Step) return;
        Trainer.Restore(_state);
        int keep = (int)Math.Max(0, step - _state.Step);
        _records.RemoveRange(keep, _records.Count - keep);
        foreach (var (loss, correct) in _records) Trainer.Advance(loss, correct);
    }

    // ---- stepping ----------------------------------------------------------------------------

    /// <summary>A member has applied <paramref name="stepNumber"/>; the first report of a step counts it.</summary>
    void Applied(long stepNumber, float loss, float correct)
    {
        if (stepNumber < Trainer.Step) return;
        if (stepNumber > Trainer.Step || _awaited >= 0)
        {
            // The replicas go on while the coordinator waits for a state: count these steps after it.
            _ahead.TryAdd(stepNumber, (loss, correct));
            return;
        }
        Count(loss, correct);
        while (_awaited < 0 && _ahead.Remove(Trainer.Step, out var next)) Count(next.Loss, next.Correct);
    }

    void Count(float loss, float correct)
    {
        var step = Trainer.Current;
        _records.Add((loss, correct));
        bool epochEnded = Trainer.Advance(loss, correct);
        // Training ends with its last step: the final state's transfer, evaluation and writes are not
        // training (the star stops its clock for them too, and the local loop).
        if (Trainer.Finished) _trainTime.Stop();
        _deadline.StepTook(_sinceStep.Elapsed.TotalSeconds);
        _watch.Counted(_sinceStep.Elapsed.TotalSeconds);
        _sinceStep.Restart();
        if (_recovering is { } r)
        {
            _log.Warning("step {0} completed {1:F2} s after worker {2} was lost", step.Step, r.Since.Elapsed.TotalSeconds, r.Worker);
            _recovering = null;
        }
        if (IsCheckpointStep(Trainer.Step)) _awaited = Trainer.Step;
        else if (step.Step >= _notified) Notify(step, epochEnded);
        if (_current is not null) Timers.StartSingleTimer("deadline", new DeadlinePassed(Trainer.Step), Deadline());
    }

    bool IsCheckpointStep(long next)
        => next == Trainer.Plan.TotalSteps || next % Trainer.Plan.StepsPerEpoch == 0 || _recipe.CheckpointEvery > 0 && next % _recipe.CheckpointEvery == 0;

    /// <summary>
    /// Takes what the workers reported on their tensor connections: steps applied, pauses and states,
    /// each worker's in the order it made them — so when its pause arrives, every step it applied
    /// before has been counted. A state can still overtake the Applied of its step sent by another
    /// worker, and the replicas run on while the coordinator evaluates and writes checkpoints, so
    /// states of steps not yet counted are kept until they are.
    /// </summary>
    void TakeFrames()
    {
        // A bounded batch per message: the replicas do not wait for the coordinator, and where they report
        // faster than it evaluates and checkpoints, draining until the queue is empty would keep
        // registrations, pauses and timers waiting in the mailbox until the run is over.
        int taken = 0;
        while (taken < FramesPerTurn && _links.TryTake(out var f))
        {
            taken++;
            var h = f.Header;
            switch (h.Kind)
            {
                case PeerFrameKind.Applied when f.Values is { Length: 2 } metrics:
                    Applied(h.Step, metrics[0], metrics[1]);
                    break;
                case PeerFrameKind.Paused when h.View == _view && _current is null && _workers.Contains(f.From):
                    _paused[f.From] = h.Index == 1 ? h.Step : -1;
                    break;
                // A step's state and metrics have the same bits whatever view they were sent under.
                case PeerFrameKind.State when f.Bytes is not null && h.Step >= Trainer.Step:
                    try { _early[h.Step] = TrainerState.FromBytes(f.Bytes, _setup.Model.Layout.Count); }
                    catch (InvalidDataException e) { _log.Warning("rejected a trainer state from {0}: {1}", f.From, e.Message); }
                    break;
            }
            if (f.Values is { } values) _links.Return(values);
        }
        while (_awaited >= 0 && _early.Remove(_awaited, out var state)) OnState(state);
        if (_current is null && _paused.Count > 0) CheckPaused();
        if (taken == FramesPerTurn) _links.Wake();
    }

    const int FramesPerTurn = 64;

    void OnState(TrainerState state)
    {
        _awaited = -1;
        // The coordinator counted every step's metrics itself; a replica that sends its state after
        // starting a new epoch holds none.
        state = state with { EpochLoss = Trainer.EpochLoss, EpochCorrect = Trainer.EpochCorrect };
        var step = Trainer.Plan.Assignment(state.Step - 1);
        bool epochEnded = state.Step % Trainer.Plan.StepsPerEpoch == 0;
        _state = state;
        _fromSeed = false;
        _records.Clear();
        foreach (long old in _early.Keys.Where(k => k <= state.Step).ToList()) _early.Remove(old);
        foreach (long old in _ahead.Keys.Where(k => k < state.Step).ToList()) _ahead.Remove(old);
        Trainer.Restore(state);
        if (_stopping is { } reason)
        {
            _setup.Observer.Checkpoint(Trainer);
            End(RunStatus.Interrupted, reason);
            return;
        }
        try
        {
            if (step.Step >= _notified) Notify(step, epochEnded);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(e.Message);
            return;
        }
        if (Trainer.Finished)
        {
            End(RunStatus.Finished, "finished");
            return;
        }
        while (_awaited < 0 && _ahead.Remove(Trainer.Step, out var next)) Count(next.Loss, next.Correct);
    }

    void Notify(StepAssignment step, bool epochEnded)
    {
        _notified = step.Step + 1;
        _setup.Observer.StepApplied(Trainer, step, epochEnded, _trainTime.Elapsed.TotalSeconds);
        if (epochEnded) Trainer.StartEpoch();
    }

    TimeSpan Deadline() => _deadline.Next();

    StatusReported Status() => _watch.Report(_phase, _setup.Trainer, _workers.All.Select(w => (w.Id, w.Cores)));

    void Fail(string message)
    {
        _log.Error("the run failed: {0}", message);
        End(RunStatus.Failed, message);
    }

    void End(RunStatus status, string message)
    {
        Timers.CancelAll();
        string reason = status switch
        {
            RunStatus.Finished => "the run is finished",
            RunStatus.Interrupted => $"the run was stopped: {message}",
            _ => $"the run failed: {message}",
        };
        foreach (var w in _workers.All) w.Actor.Tell(new StopWorking(reason));
        _trainTime.Stop();
        _phase = status switch { RunStatus.Finished => "finished", RunStatus.Interrupted => "stopped", _ => "failed" };
        _setup.Done.TrySetResult(new RunOutcome(status, message, _trainTime.Elapsed.TotalSeconds, _workers.Seen));
        Become(Finished);
    }
}
