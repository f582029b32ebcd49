using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;

namespace ActorMlp.Core.Training;

/// <summary>
/// Computes leaves and subtrees of a step's reduction tree from the training samples:
/// leaf i of batch b in epoch e is micro-shard i of positions [b·B, (b+1)·B) of epoch e's order.
/// The coordinator-less trainer asks it for the root; a worker asks it for the subtrees of its range.
/// </summary>
internal sealed class LeafComputer
{
    readonly Mlp _model;
    readonly ISampleSource _samples;
    readonly TrainingPlan _plan;
    readonly Workspace _ws;
    readonly SubtreeReducer _reducer;
    readonly SubtreeReducer.LeafWriter _writeLeaf;
    readonly int[] _order;
    readonly PackedWeights _packed;
    readonly NodeWorkspace _nodeWs;
    readonly NodeBackprop _backprop;
    readonly int[][] _bounds = new int[31][];
    int _orderEpoch = -1;
    (float[]? Parameters, long Step) _packedFor = (null, -1);

    float[] _parameters = [];
    StepAssignment _step;

    readonly int _rounded;

    public LeafComputer(Mlp model, ISampleSource samples, TrainingPlan plan, GradientPrecision precision = GradientPrecision.Float32)
    {
        _rounded = precision == GradientPrecision.BFloat16 ? model.Layout.Count : 0;
        if (samples.Features != model.Spec.Inputs)
            throw new ArgumentException($"the model takes {model.Spec.Inputs} inputs but the samples have {samples.Features} features");
        _model = model;
        _samples = samples;
        _plan = plan;
        _ws = model.CreateWorkspace(ShardPlan.MaxShardSize(plan.Batch, plan.MicroShards));
        _reducer = new SubtreeReducer(model.NodeLength);
        _order = new int[samples.Count];
        _writeLeaf = WriteLeaf;
        _packed = new PackedWeights(model.Layout);
        _nodeWs = new NodeWorkspace(model.Spec, model.Head.TargetWidth, plan.Batch);
        _backprop = new NodeBackprop(model, _nodeWs, precision);
    }

    /// <summary>Writes the value of <paramref name="node"/> of step <paramref name="step"/>'s tree.</summary>
    public void ComputeNode(float[] parameters, StepAssignment step, TreeNode node, Span<float> result)
        => ComputeNode(parameters, step, node, result, default);

    /// <summary>The same, its first layer's weight gradient in the parts given, each reported when final (<see cref="NodeParts"/>).</summary>
    public void ComputeNode(float[] parameters, StepAssignment step, TreeNode node, Span<float> result, NodeParts parts)
    {
        Prepare(parameters, step);
        var bounds = _bounds[node.Level] ??= new int[node.LeafCount + 1];
        int batchStart = checked(step.Batch * _plan.Batch), first = ShardPlan.Start(_plan.Batch, _plan.MicroShards, node.FirstLeaf);
        for (int j = 0; j <= node.LeafCount; j++) bounds[j] = ShardPlan.Start(_plan.Batch, _plan.MicroShards, node.FirstLeaf + j) - first;
        int rows = bounds[^1];
        _samples.Fill(_order.AsSpan(batchStart + first, rows), _nodeWs.Inputs.AsSpan(0, rows * _samples.Features),
            _nodeWs.Targets.AsSpan(0, rows * _samples.TargetWidth));
        _backprop.Compute(parameters, _packed, bounds, _nodeWs, result, parts);
    }

    /// <summary>
    /// The same value computed the plain way, each leaf alone and the leaves summed by the streaming
    /// reducer: the oracle the fast path is tested against.
    /// </summary>
    public void ComputeNodeByLeaves(float[] parameters, StepAssignment step, TreeNode node, Span<float> result)
    {
        Prepare(parameters, step);
        _reducer.Compute(node, _writeLeaf, result, _rounded);
    }

    void Prepare(float[] parameters, StepAssignment step)
    {
        _parameters = parameters;
        _step = step;
        if (!ReferenceEquals(_packedFor.Parameters, parameters) || _packedFor.Step != step.Step)
        {
            _packed.Pack(parameters);
            _packedFor = (parameters, step.Step);
        }
        if (_orderEpoch != step.Epoch)
        {
            EpochOrder.Fill(_plan.Seed, step.Epoch, _order);
            _orderEpoch = step.Epoch;
        }
    }

    void WriteLeaf(int leaf, Span<float> destination)
    {
        int batchStart = checked(_step.Batch * _plan.Batch);
        int start = batchStart + ShardPlan.Start(_plan.Batch, _plan.MicroShards, leaf);
        int rows = ShardPlan.End(_plan.Batch, _plan.MicroShards, leaf) - ShardPlan.Start(_plan.Batch, _plan.MicroShards, leaf);
        _samples.Fill(_order.AsSpan(start, rows), _ws.Inputs.AsSpan(0, rows * _samples.Features),
            _ws.Targets.AsSpan(0, rows * _samples.TargetWidth));
        _model.ComputeLeaf(_parameters, rows, _ws, destination, _packed);
    }
}
