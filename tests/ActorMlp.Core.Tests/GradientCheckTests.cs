using ActorMlp.Core.Model;

namespace ActorMlp.Core.Tests;

/// <summary>Backpropagation against central finite differences of the summed loss, for every activation and head.</summary>
public class GradientCheckTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var activation in Enum.GetValues<ActivationKind>())
            foreach (var head in Enum.GetValues<HeadKind>())
                yield return [activation, head];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backprop_matches_finite_differences(ActivationKind activation, HeadKind head)
    {
        int outputs = head == HeadKind.SigmoidLogLoss ? 1 : 3;
        var spec = new ModelSpec([5, 4, 6, outputs], activation, head, MaxoutPieces: 3, LeakySlope: 0.1f);
        var model = new Mlp(spec);
        const int rows = 4;
        var ws = model.CreateWorkspace(rows);
        float[] parameters = [];
        // Finite differences are only valid away from kinks (ReLU at 0, maxout ties): draw points until
        // every hidden pre-activation is clear of them by more than any perturbation can move it.
        for (int attempt = 0; attempt < 100; attempt++)
        {
            var random = new Random(17 + attempt);
            parameters = Initializer.Create(spec, InitKind.Xavier, 3 + (ulong)attempt);
            for (int i = 0; i < parameters.Length; i++) parameters[i] += (float)(random.NextDouble() - 0.5) * 0.5f;
            for (int i = 0; i < rows * spec.Inputs; i++) ws.Inputs[i] = (float)(random.NextDouble() * 2 - 1);
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < model.Head.TargetWidth; j++)
                    ws.Targets[r * model.Head.TargetWidth + j] = head switch
                    {
                        HeadKind.SoftmaxCrossEntropy => random.Next(outputs),
                        HeadKind.SigmoidLogLoss => random.Next(2),
                        _ => (float)(random.NextDouble() * 2 - 1),
                    };
            model.Forward(parameters, rows, ws);
            if (ClearOfKinks(model, rows, ws, 0.02f)) break;
        }
        Assert.True(ClearOfKinks(model, rows, ws, 0.02f), "no test point clear of kinks was found");

        var node = new float[model.NodeLength];
        model.ComputeLeaf(parameters, rows, ws, node);
        double lossAtCentre = Loss(model, parameters, rows, ws);
        Assert.Equal(lossAtCentre, model.Metrics(node).Loss, 4);

        const float h = 1e-3f;
        for (int i = 0; i < parameters.Length; i++)
        {
            float saved = parameters[i];
            parameters[i] = saved + h;
            double plus = Loss(model, parameters, rows, ws);
            parameters[i] = saved - h;
            double minus = Loss(model, parameters, rows, ws);
            parameters[i] = saved;
            double numeric = (plus - minus) / (2 * h);
            double analytic = node[i];
            Assert.True(Math.Abs(numeric - analytic) <= 2e-3 + 2e-2 * Math.Abs(numeric),
                $"parameter {i}: backprop {analytic}, finite difference {numeric}");
        }
    }

    static bool ClearOfKinks(Mlp model, int rows, Workspace ws, float margin)
    {
        int pieces = model.Activation.Pieces;
        for (int l = 0; l < model.Spec.DenseLayers - 1; l++)
        {
            var z = ws.Z[l].AsSpan(0, rows * model.Spec.PreActivations(l));
            if (pieces == 1)
            {
                foreach (float v in z) if (MathF.Abs(v) < margin) return false;
                continue;
            }
            for (int u = 0; u < z.Length; u += pieces)
            {
                var group = z.Slice(u, pieces).ToArray();
                Array.Sort(group);
                if (group[^1] - group[^2] < margin) return false;
            }
        }
        return true;
    }

    static double Loss(Mlp model, float[] parameters, int rows, Workspace ws)
    {
        var logits = model.Forward(parameters, rows, ws).ToArray();
        return model.Head.Loss(logits, ws.Targets.AsSpan(0, rows * model.Head.TargetWidth), rows, default, out _);
    }

    [Fact]
    public void Leaf_of_several_rows_is_the_sum_of_single_row_leaves()
    {
        var spec = new ModelSpec([6, 5, 3], ActivationKind.Tanh, HeadKind.SoftmaxCrossEntropy);
        var model = new Mlp(spec);
        var parameters = Initializer.Create(spec, InitKind.Auto, 9);
        var random = new Random(2);
        var inputs = Enumerable.Range(0, 3 * 6).Select(_ => (float)random.NextDouble()).ToArray();
        var targets = new float[] { 0, 2, 1 };

        var all = model.CreateWorkspace(3);
        inputs.CopyTo(all.Inputs, 0);
        targets.CopyTo(all.Targets, 0);
        var together = new float[model.NodeLength];
        model.ComputeLeaf(parameters, 3, all, together);

        var sum = new double[model.NodeLength];
        var one = model.CreateWorkspace(1);
        var node = new float[model.NodeLength];
        for (int r = 0; r < 3; r++)
        {
            inputs.AsSpan(r * 6, 6).CopyTo(one.Inputs);
            one.Targets[0] = targets[r];
            model.ComputeLeaf(parameters, 1, one, node);
            for (int i = 0; i < node.Length; i++) sum[i] += node[i];
        }
        for (int i = 0; i < node.Length; i++) Assert.Equal(sum[i], together[i], 4);
    }

    [Theory]
    [InlineData(ActivationKind.Relu, 1)]
    [InlineData(ActivationKind.Maxout, 7)]
    [InlineData(ActivationKind.Swish, 33)]
    public void Leaf_with_packed_weights_has_the_bits_of_the_unpacked_one(ActivationKind activation, int rows)
    {
        var spec = new ModelSpec([37, 29, 17, 5], activation, HeadKind.SoftmaxCrossEntropy, MaxoutPieces: 3);
        var model = new Mlp(spec);
        var parameters = Initializer.Create(spec, InitKind.Auto, 4);
        var ws = model.CreateWorkspace(rows);
        var random = new Random(rows);
        for (int i = 0; i < rows * spec.Inputs; i++) ws.Inputs[i] = (float)random.NextDouble();
        for (int r = 0; r < rows; r++) ws.Targets[r] = random.Next(5);
        var plain = new float[model.NodeLength];
        var packed = new float[model.NodeLength];
        var weights = new PackedWeights(model.Layout);
        weights.Pack(parameters);
        model.ComputeLeaf(parameters, rows, ws, plain);
        model.ComputeLeaf(parameters, rows, ws, packed, weights);
        Assert.Equal(plain, packed);
    }

    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.Sigmoid)]
    [InlineData(ActivationKind.Tanh)]
    [InlineData(ActivationKind.Swish)]
    [InlineData(ActivationKind.Maxout)]
    public void Empty_leaf_is_all_zeros(ActivationKind activation)
    {
        var spec = new ModelSpec([3, 2, 2], activation, HeadKind.SoftmaxCrossEntropy);
        var model = new Mlp(spec);
        var node = Enumerable.Repeat(float.NaN, model.NodeLength).ToArray();
        model.ComputeLeaf(Initializer.Create(spec, InitKind.Auto, 1), 0, model.CreateWorkspace(1), node);
        Assert.All(node, v => Assert.Equal(0f, v));
    }
}
