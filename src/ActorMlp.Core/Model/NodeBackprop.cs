using System.Numerics.Tensors;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Model;

/// <summary>
/// Computes a reduction-tree node from all its leaves at once, with the bits of computing each leaf
/// alone (<see cref="Mlp.ComputeLeaf"/>) and summing them in tree order (<see cref="SubtreeReducer"/>):
/// - forward products and dX = δ·W run over every row of the node in one GEMM: each output row's
///   sum runs over the same k in the same order whatever the row count;
/// - activations, the loss and the per-leaf sums (dW, db, loss, correct) still run leaf by leaf;
/// - dW comes from <see cref="LeafOuterProducts"/>, which merges the leaves in tree order per
///   register tile, instead of streaming whole gradient-sized leaves through memory 2^level times;
/// - in <see cref="GradientPrecision.BFloat16"/> every gradient node is rounded as it is formed, the
///   metrics never.
/// </summary>
internal sealed class NodeBackprop
{
    readonly Mlp _model;
    readonly SubtreeReducer _metrics = new(2);
    readonly SubtreeReducer _biases;
    readonly SubtreeReducer.LeafWriter _writeMetrics, _writeBias;
    readonly float[] _metricsValue = new float[2];
    readonly GradientPrecision _precision;
    readonly int _roundedBias;
    float[] _leafMetrics = [];

    // The layer and tile the leaf writers work on; fields, so the delegates are made once.
    NodeWorkspace _ws = null!;
    int[] _bounds = [];
    int _layer;

    public NodeBackprop(Mlp model, NodeWorkspace ws, GradientPrecision precision = GradientPrecision.Float32)
    {
        _model = model;
        _precision = precision;
        _roundedBias = precision == GradientPrecision.BFloat16 ? int.MaxValue : 0;
        _biases = new SubtreeReducer(model.Layout.Layers.Max(d => d.Rows));
        _writeMetrics = WriteLeafMetrics;
        _writeBias = WriteLeafBias;
    }

    /// <summary>
    /// The node whose leaves are rows [bounds[j], bounds[j+1]) of ws.Inputs/ws.Targets (a power of two
    /// of them), written over <paramref name="node"/> (length NodeLength).
    /// </summary>
    public void Compute(ReadOnlySpan<float> parameters, PackedWeights packed, int[] bounds, NodeWorkspace ws, Span<float> node)
        => Compute(parameters, packed, bounds, ws, node, default);

    /// <summary>
    /// The same node, its first layer's weight gradient computed in the parts given, in their order,
    /// each reported when done (<see cref="NodeParts"/>); the bits are those of one pass.
    /// </summary>
    public void Compute(ReadOnlySpan<float> parameters, PackedWeights packed, int[] bounds, NodeWorkspace ws, Span<float> node, NodeParts parts)
    {
        if (!parts.IsEmpty) parts.Validate(_model.Layout.Layers[0].Rows);
        var spec = _model.Spec;
        var layers = _model.Layout.Layers;
        int leaves = bounds.Length - 1, rows = bounds[^1];
        var tree = TreeNode.Root(leaves);
        _ws = ws;
        _bounds = bounds;
        if (_leafMetrics.Length < 2 * leaves) _leafMetrics = new float[2 * leaves];

        // Forward over all rows; activations leaf by leaf.
        ReadOnlySpan<float> input = ws.Inputs.AsSpan(0, rows * spec.Inputs);
        for (int l = 0; l < layers.Count; l++)
        {
            var d = layers[l];
            // x is (rows, in), W is (out, in), z is (rows, out): z = x·Wᵀ + b
            var z = ws.Z[l].AsSpan(0, rows * d.Rows);
            Gemm.Multiply(false, rows, input, d.Inputs, packed.Forward[l], z, d.Rows, accumulate: false);
            var bias = parameters.Slice(d.BiasOffset, d.Rows);
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(z.Slice(r * d.Rows, d.Rows), bias, z.Slice(r * d.Rows, d.Rows));
            if (l == layers.Count - 1) break;
            int units = spec.Layers[l + 1];
            for (int j = 0; j < leaves; j++)
                _model.Activation.Forward(z[(bounds[j] * d.Rows)..(bounds[j + 1] * d.Rows)], ws.A[l].AsSpan(bounds[j] * units, (bounds[j + 1] - bounds[j]) * units));
            input = ws.A[l].AsSpan(0, rows * units);
        }

        // The loss and δ of the output, leaf by leaf; the metrics summed in tree order.
        int k = spec.Outputs, width = _model.Head.TargetWidth;
        var logits = ws.Z[layers.Count - 1];
        for (int j = 0; j < leaves; j++)
        {
            int r0 = bounds[j], n = bounds[j + 1] - r0;
            double loss = _model.Head.Loss(logits.AsSpan(r0 * k, n * k), ws.Targets.AsSpan(r0 * width, n * width), n,
                ws.DeltaA.AsSpan(r0 * k, n * k), out int correct);
            _leafMetrics[2 * j] = (float)loss;
            _leafMetrics[2 * j + 1] = correct;
        }
        _metrics.Compute(tree, _writeMetrics, _metricsValue);
        node[_model.Layout.Count] = _metricsValue[0];
        node[_model.Layout.Count + 1] = _metricsValue[1];

        for (int l = layers.Count - 1; l >= 0; l--)
        {
            var d = layers[l];
            _layer = l;
            ReadOnlySpan<float> x = l == 0 ? ws.Inputs.AsSpan(0, rows * d.Inputs) : ws.A[l - 1].AsSpan(0, rows * d.Inputs);
            // δ is (rows, out), x is (rows, in), dW is (out, in): the tree sum of the leaves' δᵀ·x
            var delta = ws.DeltaA.AsSpan(0, rows * d.Rows);
            var dW = node.Slice(d.WeightOffset, d.WeightCount);
            _biases.Compute(tree, _writeBias, node.Slice(d.BiasOffset, d.Rows), _roundedBias);
            if (l == 0 && !parts.IsEmpty)
            {
                for (int i = 0; i < parts.FirstLayerRows.Length; i++)
                {
                    var r = parts.FirstLayerRows[i];
                    LeafOuterProducts.Compute(delta, d.Rows, x, d.Inputs, bounds, dW, r.Start, r.End, _precision);
                    parts.Done!(i);
                }
                break;
            }
            LeafOuterProducts.Compute(delta, d.Rows, x, d.Inputs, bounds, dW, 0, d.Rows, _precision);
            if (l == 0) break;

            // δ is (rows, out), W is (out, in), dX is (rows, in): dX = δ·W, then back through the activation leaf by leaf
            var dZ = ws.DeltaA.AsSpan(0, rows * d.Rows);
            var dA = ws.DeltaB.AsSpan(0, rows * d.Inputs);
            Gemm.Multiply(false, rows, dZ, d.Rows, packed.Backward[l], dA, d.Inputs, accumulate: false);
            var prev = layers[l - 1];
            for (int j = 0; j < leaves; j++)
            {
                int r0 = bounds[j], r1 = bounds[j + 1];
                _model.Activation.Backward(ws.Z[l - 1].AsSpan(r0 * prev.Rows, (r1 - r0) * prev.Rows), ws.A[l - 1].AsSpan(r0 * d.Inputs, (r1 - r0) * d.Inputs),
                    dA[(r0 * d.Inputs)..(r1 * d.Inputs)], ws.DeltaA.AsSpan(r0 * prev.Rows, (r1 - r0) * prev.Rows));
            }
        }
    }

    void WriteLeafMetrics(int leaf, Span<float> destination)
    {
        destination[0] = _leafMetrics[2 * leaf];
        destination[1] = _leafMetrics[2 * leaf + 1];
    }

    // One leaf's db for the current layer: the column sums of its δ, rows in order.
    void WriteLeafBias(int leaf, Span<float> destination)
    {
        int outs = _model.Layout.Layers[_layer].Rows;
        destination.Clear();
        for (int r = _bounds[leaf]; r < _bounds[leaf + 1]; r++) TensorPrimitives.Add(destination, _ws.DeltaA.AsSpan(r * outs, outs), destination);
    }
}
