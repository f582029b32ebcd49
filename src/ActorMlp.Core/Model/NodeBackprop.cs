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
/// - dW is formed in tiles of <see cref="NodeWorkspace.TileRows"/> rows of W: for each tile, the
///   leaves' tiles are merged in tree order while they are in cache, instead of streaming whole
///   gradient-sized leaves through memory 2^level times.
/// </summary>
public sealed class NodeBackprop
{
    readonly Mlp _model;
    readonly SubtreeReducer _metrics = new(2);
    readonly SubtreeReducer _tiles;
    readonly SubtreeReducer.LeafWriter _writeMetrics, _writeTile;
    readonly float[] _metricsValue = new float[2];
    float[] _leafMetrics = [];

    // The layer and tile the leaf writers work on; fields, so the delegates are made once.
    NodeWorkspace _ws = null!;
    int[] _bounds = [];
    int _layer, _tileStart, _tileRows;
    float[] _tileValue = [];

    public NodeBackprop(Mlp model, NodeWorkspace ws)
    {
        _model = model;
        _tiles = new SubtreeReducer(ws.TileLength);
        _tileValue = new float[ws.TileLength];
        _writeMetrics = WriteLeafMetrics;
        _writeTile = WriteLeafTile;
    }

    /// <summary>
    /// The node whose leaves are rows [bounds[j], bounds[j+1]) of ws.Inputs/ws.Targets (a power of two
    /// of them), written over <paramref name="node"/> (length NodeLength).
    /// </summary>
    public void Compute(ReadOnlySpan<float> parameters, PackedWeights packed, int[] bounds, NodeWorkspace ws, Span<float> node)
    {
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
            for (_tileStart = 0; _tileStart < d.Rows; _tileStart += NodeWorkspace.TileRows)
            {
                _tileRows = Math.Min(NodeWorkspace.TileRows, d.Rows - _tileStart);
                int w = _tileRows * d.Inputs;
                _tiles.Compute(tree, _writeTile, _tileValue.AsSpan(0, w + _tileRows));
                _tileValue.AsSpan(0, w).CopyTo(node.Slice(d.WeightOffset + _tileStart * d.Inputs, w));
                _tileValue.AsSpan(w, _tileRows).CopyTo(node.Slice(d.BiasOffset + _tileStart, _tileRows));
            }
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

    // One leaf's rows [t, t+T) of dW and db for the current layer and tile: dW = δᵀ·x over the leaf's rows, db their column sums.
    void WriteLeafTile(int leaf, Span<float> destination)
    {
        var d = _model.Layout.Layers[_layer];
        int r0 = _bounds[leaf], n = _bounds[leaf + 1] - r0;
        if (n == 0)
        {
            destination.Clear();
            return;
        }
        ReadOnlySpan<float> input = _layer == 0 ? _ws.Inputs.AsSpan(r0 * d.Inputs, n * d.Inputs) : _ws.A[_layer - 1].AsSpan(r0 * d.Inputs, n * d.Inputs);
        var dZ = _ws.DeltaA.AsSpan(r0 * d.Rows, n * d.Rows);
        int w = _tileRows * d.Inputs;
        // δ is (n, out), x is (n, in), the tile of dW is (T, in): rows t..t+T of δᵀ·x
        Gemm.Multiply(true, false, _tileRows, d.Inputs, n, dZ[_tileStart..], d.Rows, input, d.Inputs, destination[..w], d.Inputs, accumulate: false);
        var db = destination.Slice(w, _tileRows);
        db.Clear();
        for (int r = 0; r < n; r++) TensorPrimitives.Add(db, dZ.Slice(r * d.Rows + _tileStart, _tileRows), db);
    }
}
