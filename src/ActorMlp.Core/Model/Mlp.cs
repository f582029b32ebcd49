using System.Numerics.Tensors;
using ActorMlp.Core.Activations;
using ActorMlp.Core.Heads;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Model;

/// <summary>
/// The network's arithmetic: forward pass, loss and backpropagation over the flat parameter array.
/// It holds no parameters itself, so one instance serves any number of weight versions.
/// </summary>
public sealed class Mlp
{
    public ModelSpec Spec { get; }
    public ParameterLayout Layout { get; }
    internal IActivation Activation { get; }
    internal IOutputHead Head { get; }

    /// <summary>Elements of a reduction-tree node: the gradient, then the loss sum and the correct count.</summary>
    internal int NodeLength => Layout.Count + 2;

    public Mlp(ModelSpec spec)
    {
        spec.Validate();
        Spec = spec;
        Layout = new ParameterLayout(spec);
        Activation = Activations.Activation.Create(spec);
        Head = OutputHead.Create(spec);
    }

    public Workspace CreateWorkspace(int maxRows) => new(Spec, Head.TargetWidth, maxRows);

    /// <summary>
    /// Forward pass of ws.Inputs' first <paramref name="rows"/> rows; returns the logits, (rows, K).
    /// </summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> parameters, int rows, Workspace ws) => Forward(parameters, rows, ws, null);

    /// <summary>The forward pass with the parameters already packed (<see cref="PackedWeights"/>), or null to pack per product.</summary>
    internal ReadOnlySpan<float> Forward(ReadOnlySpan<float> parameters, int rows, Workspace ws, PackedWeights? packed)
    {
        ReadOnlySpan<float> input = ws.Inputs.AsSpan(0, rows * Spec.Inputs);
        for (int l = 0; l < Layout.Layers.Count; l++)
        {
            var d = Layout.Layers[l];
            // x is (rows, in), W is (out, in), z is (rows, out): z = x·Wᵀ + b
            var z = ws.Z[l].AsSpan(0, rows * d.Rows);
            if (packed is null)
                Gemm.Multiply(false, true, rows, d.Rows, d.Inputs, input, d.Inputs,
                    parameters.Slice(d.WeightOffset, d.WeightCount), d.Inputs, z, d.Rows, accumulate: false);
            else Gemm.Multiply(false, rows, input, d.Inputs, packed.Forward[l], z, d.Rows, accumulate: false);
            var bias = parameters.Slice(d.BiasOffset, d.Rows);
            for (int r = 0; r < rows; r++)
            {
                var row = z.Slice(r * d.Rows, d.Rows);
                TensorPrimitives.Add(row, bias, row);
            }
            if (l == Layout.Layers.Count - 1) return z;
            var a = ws.A[l].AsSpan(0, rows * Spec.Layers[l + 1]);
            Activation.Forward(z, a);
            input = a;
        }
        throw new InvalidOperationException("a model has at least one dense layer");
    }

    /// <summary>
    /// One leaf of the reduction tree: the summed gradient of ws.Inputs/ws.Targets' first
    /// <paramref name="rows"/> samples, written over <paramref name="node"/> (length NodeLength),
    /// followed by their loss sum and correct count.
    /// </summary>
    /// <param name="packed">The same parameters packed (<see cref="PackedWeights"/>), or null to pack per product.</param>
    internal void ComputeLeaf(ReadOnlySpan<float> parameters, int rows, Workspace ws, Span<float> node, PackedWeights? packed = null)
    {
        if (node.Length != NodeLength) throw new ArgumentException($"a node has {NodeLength} elements, got {node.Length}");
        var layers = Layout.Layers;
        int last = layers.Count - 1;
        var logits = Forward(parameters, rows, ws, packed);
        ReadOnlySpan<int> oneLeaf = [0, rows];

        var delta = ws.DeltaA.AsSpan(0, rows * Spec.Outputs);
        double loss = Head.Loss(logits, ws.Targets.AsSpan(0, rows * Head.TargetWidth), rows, delta, out int correct);
        node[Layout.Count] = (float)loss;
        node[Layout.Count + 1] = correct;

        for (int l = last; l >= 0; l--)
        {
            var d = layers[l];
            ReadOnlySpan<float> input = l == 0 ? ws.Inputs.AsSpan(0, rows * d.Inputs) : ws.A[l - 1].AsSpan(0, rows * d.Inputs);
            ReadOnlySpan<float> dZ = ws.DeltaA.AsSpan(0, rows * d.Rows);

            // δ is (rows, out), x is (rows, in), dW is (out, in): dW = δᵀ·x, each element one FMA chain over the rows in order
            LeafOuterProducts.Compute(dZ, d.Rows, input, d.Inputs, oneLeaf, node.Slice(d.WeightOffset, d.WeightCount));
            // db is (out): the column sums of δ, rows in order
            var db = node.Slice(d.BiasOffset, d.Rows);
            db.Clear();
            for (int r = 0; r < rows; r++) TensorPrimitives.Add(db, dZ.Slice(r * d.Rows, d.Rows), db);

            if (l == 0) break;
            // δ is (rows, out), W is (out, in), dX is (rows, in): dX = δ·W
            var dA = ws.DeltaB.AsSpan(0, rows * d.Inputs);
            if (packed is null)
                Gemm.Multiply(false, false, rows, d.Inputs, d.Rows, dZ, d.Rows,
                    parameters.Slice(d.WeightOffset, d.WeightCount), d.Inputs, dA, d.Inputs, accumulate: false);
            else Gemm.Multiply(false, rows, dZ, d.Rows, packed.Backward[l], dA, d.Inputs, accumulate: false);
            var prev = layers[l - 1];
            Activation.Backward(ws.Z[l - 1].AsSpan(0, rows * prev.Rows), ws.A[l - 1].AsSpan(0, rows * d.Inputs),
                dA, ws.DeltaA.AsSpan(0, rows * prev.Rows));
        }
    }

    /// <summary>The loss sum and correct count stored at the end of a node.</summary>
    internal (double Loss, double Correct) Metrics(ReadOnlySpan<float> node) => (node[Layout.Count], node[Layout.Count + 1]);
}
