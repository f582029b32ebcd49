using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using ActorMlp.Core.Optim;
using ActorMlp.Core.Tensors;
using ActorMlp.Core.Training;

namespace ActorMlp.Cluster.Peer;

/// <summary>
/// A worker's part of a peer-to-peer step, run on the worker actor's thread. Each step it computes the
/// maximal aligned subtrees of its leaves on its own replica of the weights and sends slice j of each to
/// the owner of slice j; as the owner of its own slice it combines the pieces it is sent in canonical
/// tree order (a <see cref="TreeAssembler"/> over slice-long buffers) and sends the reduced slice to
/// every member; once it holds every reduced slice it applies the optimizer to its replica. Every
/// replica applies the same update to the same root, so the weights stay bit-identical everywhere and
/// no weights travel.
/// Invariants: the reduce side is at most one step ahead of the gather side (no peer can compute step
/// t+1 before it holds this owner's reduced slice of t); frames of an older view are dropped, of a newer
/// view kept until it is installed; once paused nothing changes the replica until the next view.
/// </summary>
internal sealed class PeerReplica
{
    readonly string _self;
    readonly Mlp _model;
    readonly TrainingPlan _plan;
    readonly PeerRecipe _recipe;
    readonly LocalGradientEngine _engine;
    readonly PeerLinks _links;
    readonly string _coordinatorEndpoint;
    readonly Action<IProtocolMessage> _toCoordinator;
    readonly Action<string> _warn;
    readonly Action<long>? _applied;
    readonly TreeAssembler _assembler;
    readonly float[] _root;
    readonly List<TreeNode> _cover = [];
    readonly List<(TreeNode Node, float[] Value)> _local = [];
    readonly List<PeerFrame> _future = [];
    readonly Action<float[]> _return;
    readonly long _token;
    readonly float[] _metrics = new float[2];
    // The node being computed, written part by part, and what each finished part lets this replica send.
    readonly float[] _nodeValue;
    readonly NodePartDone _partDone;
    RowRange[] _parts = [];
    int[][] _slicesAfterPart = [];
    (TreeNode Node, long Step) _computing;
    Trainer? _trainer;
    InstallView? _view;
    SlicePlan? _slices;
    bool[] _gathered = [];
    int _gatheredCount, _slice = -1;
    // A reduced slice in bfloat16 as it goes on the wire: the rounded gradient, then the metrics as floats.
    byte[]? _wire16;
    // One buffer for the run, made with the replica's trainer: a state is a few model sizes, and a step allocates nothing.
    byte[]? _state;
    long _reduceStep = -1, _computedStep = -1;
    bool _paused = true, _awaitingState;

    public PeerReplica(string self, Mlp model, TrainingPlan plan, PeerRecipe recipe, LocalGradientEngine engine, PeerLinks links, long token,
        string coordinatorEndpoint, Action<IProtocolMessage> toCoordinator, Action<string> warn, Action<long>? applied = null)
    {
        _applied = applied;
        _self = self;
        _model = model;
        _plan = plan;
        _recipe = recipe;
        _engine = engine;
        _links = links;
        _token = token;
        _coordinatorEndpoint = coordinatorEndpoint;
        _toCoordinator = toCoordinator;
        _warn = warn;
        _assembler = new TreeAssembler(plan.MicroShards);
        _root = new float[model.NodeLength];
        _nodeValue = new float[model.NodeLength];
        _partDone = PartDone;
        _return = links.Return;
        // The coordinator sends a state before the view that asks for it; the members come with each view.
        links.Admit(InstallView.Coordinator);
    }

    /// <summary>
    /// Runs what a step runs — a node computed in parts, its slices narrowed and widened as the wire
    /// carries them, pieces assembled, the optimizer and a state report — once, on scratch buffers and
    /// sending nothing. The process compiles each method on its first call; done here, before the worker
    /// says it is ready, that is not charged to the run's first step, which holds every member up.
    /// </summary>
    public void WarmUp()
    {
        var slices = new SlicePlan(_model.NodeLength, 2);
        var (parts, _) = SendOrder.Plan(_model.Layout.Layers[0], slices, 0);
        var node = new float[_model.NodeLength];
        var trainer = FreshTrainer(0);
        var root = TreeNode.Root(_plan.MicroShards);
        _engine.ComputeNode(trainer.Parameters, _plan.Assignment(0), root, node, new NodeParts(parts, _ => { }));
        var half = new ushort[node.Length];
        BFloat16.Narrow(node, half);
        BFloat16.Widen(half, node);
        BFloat16.Round(node.AsSpan(0, _model.Layout.Count));
        var assembler = new TreeAssembler(_plan.MicroShards) { Rounded = _recipe.Bf16 ? _model.Layout.Count : 0 };
        if (_plan.MicroShards > 1)
        {
            assembler.TryAdd(root.Left, (float[])node.Clone());
            assembler.TryAdd(root.Right, (float[])node.Clone());
        }
        else assembler.TryAdd(root, node);
        var (left, right) = assembler.RootHalves();
        if (right is not null) TensorPrimitives.Add(left, right, node);
        Array.Clear(node);
        trainer.Apply(node);
        TrainerState.Write(trainer, new byte[TrainerState.LengthOf(trainer)]);
    }

    /// <summary>The view installed last, or −1.</summary>
    public int View => _view?.View ?? -1;

    /// <summary>The next step this replica applies, or −1 while it holds no state.</summary>
    public long Step => _trainer?.Step ?? -1;

    /// <summary>The replica's weights (empty while it holds no state).</summary>
    public ReadOnlySpan<float> Parameters => _trainer is null ? default : _trainer.Parameters;

    /// <summary>Stops at this safe point and tells the coordinator where the replica stands.</summary>
    public void Pause(int view)
    {
        _paused = true;
        _assembler.Clear(_return);
        bool holds = _trainer is not null;
        _links.Send(InstallView.Coordinator, _coordinatorEndpoint,
            new PeerFrameHeader(PeerFrameKind.Paused, 0, holds ? 1 : 0, 0, view, holds ? _trainer!.Step : 0, _token, 0), ReadOnlySpan<byte>.Empty);
    }

    /// <summary>Takes up a new membership; returns false when this worker is not in it.</summary>
    public bool Install(InstallView v)
    {
        int me = Array.IndexOf(v.Members, _self);
        if (me < 0) return false;
        _links.AdmitOnly([InstallView.Coordinator, .. v.Members]);
        _view = v;
        _slice = me;
        _slices = new SlicePlan(_model.NodeLength, v.Members.Length);
        (_parts, _slicesAfterPart) = SendOrder.Plan(_model.Layout.Layers[0], _slices, me);
        _gathered = new bool[v.Members.Length];
        _gatheredCount = 0;
        _assembler.Clear(_return);
        _assembler.Rounded = _recipe.Bf16 ? GradientIn(me) : 0;
        _reduceStep = v.Step;
        _computedStep = -1;
        _paused = v.Hold;
        _awaitingState = false;
        if (v.NeedState.Contains(_self))
        {
            if (v.StateSource == InstallView.Seed) Adopt(FreshTrainer(v.Step));
            else _awaitingState = true;
        }
        if (v.StateSource == _self && _trainer is not null)
        {
            if (_trainer.Step != v.Step) _warn($"view {v.View} starts at step {v.Step}, but this replica is at step {_trainer.Step}");
            TrainerState.Write(_trainer, _state!);
            byte[] state = _state!;
            for (int i = 0; i < v.Members.Length; i++)
                if (v.Members[i] != _self && v.NeedState.Contains(v.Members[i]))
                    _links.Send(v.Members[i], v.Endpoints[i], Header(PeerFrameKind.State, default, 0, v.Step, state.Length), state);
        }
        if (v.ReportNow && v.Reporter == _self) Report();

        Replay();
        Proceed();
        return true;
    }

    /// <summary>Takes every frame the links have read, then computes the next step if it is due.</summary>
    public void TakeFrames()
    {
        while (_links.TryTake(out var frame)) Handle(frame);
        Proceed();
    }

    /// <summary>Handles the frames kept for later that the installed view (and the state it waited for) now allow.</summary>
    void Replay()
    {
        var frames = _future.ToList();
        _future.Clear();
        foreach (var frame in frames) Handle(frame);
    }

    void Handle(PeerFrame f)
    {
        var h = f.Header;
        // A newer view's frames wait for it; so do this view's while the state it starts from is on its way.
        if (h.View > View || h.View == View && _awaitingState && h.Kind != PeerFrameKind.State)
        {
            _future.Add(f);
            return;
        }
        if (h.View < View || _paused && !(h.Kind == PeerFrameKind.State && _awaitingState))
        {
            Release(f);
            return;
        }
        switch (h.Kind)
        {
            case PeerFrameKind.Piece or PeerFrameKind.Piece16:
                if (h.Step == _reduceStep && h.Slice == _slice && f.Values!.Length == _slices!.SliceLength(_slice) && new TreeNode(h.Level, h.Index).IsIn(_plan.MicroShards))
                    Offer(new TreeNode(h.Level, h.Index), f.Values);
                else Release(f);
                break;
            case PeerFrameKind.Reduced or PeerFrameKind.Reduced16:
                if (_trainer is not null && h.Step == _trainer.Step && h.Slice < _gathered.Length && !_gathered[h.Slice]
                    && f.Values!.Length == _slices!.SliceLength(h.Slice))
                    Gather(h.Slice, f.Values);
                Release(f);
                break;
            case PeerFrameKind.State:
                if (_awaitingState && h.Step == _view!.Step) TakeState(f.Bytes!);
                break;
        }
    }

    void Release(PeerFrame f)
    {
        if (f.Values is { } v) _links.Return(v);
    }

    void TakeState(byte[] bytes)
    {
        TrainerState state;
        try { state = TrainerState.FromBytes(bytes, _model.Layout.Count); }
        catch (InvalidDataException e)
        {
            _warn($"rejected a trainer state: {e.Message}");
            return;
        }
        if (state.Step != _view!.Step)
        {
            _warn($"rejected a trainer state of step {state.Step}; view {_view.View} starts at step {_view.Step}");
            return;
        }
        if (_trainer is null) Adopt(FreshTrainer(0));
        _trainer!.Restore(state);
        _awaitingState = false;
        Replay();
        Proceed();
    }

    void Adopt(Trainer trainer)
    {
        _trainer = trainer;
        _state ??= new byte[TrainerState.LengthOf(trainer)];
    }

    Trainer FreshTrainer(long step)
    {
        if (step != 0) throw new InvalidOperationException($"a replica can start from its seed only at step 0, not {step}");
        var parameters = Initializer.Create(_model.Spec, _recipe.Init, _plan.Seed);
        return new Trainer(_model, _plan, parameters, Optimizer.Create(_recipe.ToOptimizer(), parameters.Length), _recipe.ToSchedule());
    }

    /// <summary>Computes this member's leaves of the next step when nothing holds it back.</summary>
    void Proceed()
    {
        if (_paused || _awaitingState || _trainer is not { Finished: false } trainer || _view is not { } v) return;
        long step = trainer.Step;
        if (_computedStep == step) return;
        _computedStep = step;
        var assignment = _plan.Assignment(step);
        TreeNode.Cover(v.LeafStarts[_slice], v.LeafEnds[_slice], _cover);
        foreach (var node in _cover)
        {
            // Each slice goes to its owner as soon as backpropagation has finished it, while the rest of
            // the node is computed: the other owners' slices first, our own last.
            _computing = (node, step);
            _engine.ComputeNode(trainer.Parameters, assignment, node, _nodeValue, new NodeParts(_parts, _partDone));
        }
        // Only now: a piece of our own can complete our slice, and that can apply the step.
        foreach (var (node, own) in _local) Offer(node, own);
        _local.Clear();
    }

    void PartDone(int part)
    {
        var v = _view!;
        var (node, step) = _computing;
        foreach (int j in _slicesAfterPart[part])
        {
            var piece = _nodeValue.AsSpan(_slices!.Range(j));
            if (j == _slice)
            {
                var own = _links.Rent(piece.Length);
                piece.CopyTo(own);
                _local.Add((node, own));
            }
            else if (_recipe.Bf16)
            {
                // Exact: the tree held every node in bfloat16 as it was formed (GradientPrecision).
                int tail = piece.Length - GradientIn(j);
                _links.Send(v.Members[j], v.Endpoints[j], Header(PeerFrameKind.Piece16, node, j, step, piece.Length) with { Tail = tail }, Half(piece, tail));
            }
            else _links.Send(v.Members[j], v.Endpoints[j], Header(PeerFrameKind.Piece, node, j, step, piece.Length), piece);
        }
    }

    void Offer(TreeNode node, float[] piece)
    {
        if (!_assembler.TryAdd(node, piece))
        {
            _links.Return(piece);
            return;
        }
        if (_assembler.Complete) Reduce();
    }

    /// <summary>Our slice of the root is complete: form it, send it to every member, keep our copy.</summary>
    void Reduce()
    {
        var v = _view!;
        var (left, right) = _assembler.RootHalves();
        int length = left.Length;
        var reduced = _links.Rent(length);
        if (right is null) left.CopyTo(reduced, 0);
        else TensorPrimitives.Add(left, right, reduced);
        long step = _reduceStep;
        if (_recipe.Bf16)
        {
            // The root is a node like any other: its gradient rounded as it is formed, the metrics not.
            int rounded = GradientIn(_slice), tail = length - rounded;
            BFloat16.Round(reduced.AsSpan(0, rounded));
            var wire = Half(reduced, tail);
            for (int j = 0; j < v.Members.Length; j++)
                if (j != _slice)
                    _links.Send(v.Members[j], v.Endpoints[j], Header(PeerFrameKind.Reduced16, default, _slice, step, length) with { Tail = tail }, wire);
        }
        else
            for (int j = 0; j < v.Members.Length; j++)
                if (j != _slice) _links.Send(v.Members[j], v.Endpoints[j], Header(PeerFrameKind.Reduced, default, _slice, step, length), reduced.AsSpan());
        _assembler.Clear(_return);
        _reduceStep++;
        if (_trainer is not null && step == _trainer.Step) Gather(_slice, reduced);
        _links.Return(reduced);
    }

    /// <summary>How many leading values of slice <paramref name="slice"/> are gradient; the rest are the batch's loss sum and correct count.</summary>
    int GradientIn(int slice) => Math.Clamp(_model.Layout.Count - _slices!.Start(slice), 0, _slices.SliceLength(slice));

    /// <summary>
    /// The values as a *16 frame carries them: bfloat16 but for the last <paramref name="tail"/>, which stay
    /// floats (a correct count past 256 does not survive bfloat16). Valid until the next call.
    /// </summary>
    ReadOnlySpan<byte> Half(ReadOnlySpan<float> values, int tail)
    {
        int rounded = values.Length - tail;
        _wire16 ??= new byte[2 * _model.NodeLength + 4 * 2];
        BFloat16.Narrow(values[..rounded], MemoryMarshal.Cast<byte, ushort>(_wire16.AsSpan(0, 2 * rounded)));
        MemoryMarshal.AsBytes(values[rounded..]).CopyTo(_wire16.AsSpan(2 * rounded));
        return _wire16.AsSpan(0, 2 * rounded + 4 * tail);
    }

    void Gather(int slice, float[] values)
    {
        values.CopyTo(_root.AsSpan(_slices!.Range(slice)));
        _gathered[slice] = true;
        if (++_gatheredCount == _gathered.Length) Apply();
    }

    void Apply()
    {
        var trainer = _trainer!;
        long step = trainer.Step;
        Array.Clear(_gathered);
        _gatheredCount = 0;
        var (loss, correct) = _model.Metrics(_root);
        bool epochEnded;
        try { epochEnded = trainer.Apply(_root); }
        catch (ArithmeticException e)
        {
            _paused = true;
            _toCoordinator(new StepFailed(_self, step, e.Message));
            return;
        }
        _metrics[0] = (float)loss;
        _metrics[1] = (float)correct;
        _links.Send(InstallView.Coordinator, _coordinatorEndpoint, Header(PeerFrameKind.Applied, default, 0, step, 2), _metrics.AsSpan());
        // The replicas do not wait for the coordinator to take it: should the reporter be lost before
        // its state arrives, the coordinator steps the run back to the state it holds.
        if (_view!.Reporter == _self && IsCheckpointStep(trainer.Step)) Report();
        if (epochEnded) trainer.StartEpoch();
        _applied?.Invoke(step);
        // The next step starts from the owner's mailbox, not from here: where this member's own piece
        // completes the step (a view of one) computing on would recurse through the whole run, and
        // would keep a pause or a new view waiting until the run is over.
        _links.Wake();
    }

    /// <summary>Steps after which the coordinator wants a state: epoch ends, every N steps, the end.</summary>
    bool IsCheckpointStep(long next)
        => next == _plan.TotalSteps || next % _plan.StepsPerEpoch == 0 || _recipe.CheckpointEvery > 0 && next % _recipe.CheckpointEvery == 0;

    void Report()
    {
        var trainer = _trainer!;
        TrainerState.Write(trainer, _state!);
        _links.Send(InstallView.Coordinator, _coordinatorEndpoint, Header(PeerFrameKind.State, default, 0, trainer.Step, _state!.Length), _state);
    }

    PeerFrameHeader Header(PeerFrameKind kind, TreeNode node, int slice, long step, int length)
        => new(kind, node.Level, node.Index, slice, View, step, _token, length);
}
