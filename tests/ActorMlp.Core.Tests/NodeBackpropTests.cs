using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;

namespace ActorMlp.Core.Tests;

/// <summary>The fast node computation against its oracle: every leaf alone, summed by the streaming reducer.</summary>
public class NodeBackpropTests
{
    sealed class RandomSamples(int count, int features, int classes) : ISampleSource
    {
        readonly float[] _x = Enumerable.Range(0, count * features).Select(i => (float)Math.Sin(i * 0.37) * 2).ToArray();

        public int Count => count;
        public int Features => features;
        public int TargetWidth => 1;

        public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<float> targets)
        {
            for (int i = 0; i < indices.Length; i++)
            {
                _x.AsSpan(indices[i] * features, features).CopyTo(x.Slice(i * features, features));
                targets[i] = indices[i] % classes;
            }
        }
    }

    [Theory]
    [InlineData(new[] { 13, 37, 5 }, ActivationKind.Relu, 40, 8)]          // shards of 5 rows
    [InlineData(new[] { 13, 70, 33, 5 }, ActivationKind.Maxout, 37, 4)]     // uneven shards, tiles with tails
    [InlineData(new[] { 9, 17, 3 }, ActivationKind.Swish, 6, 8)]            // more leaves than rows: empty leaves
    [InlineData(new[] { 20, 64, 2 }, ActivationKind.Tanh, 128, 16)]
    public void Node_computed_at_once_has_the_bits_of_its_leaves_summed_in_tree_order(int[] layers, ActivationKind activation, int batch, int shards)
        => MatchesLeavesSummedInTreeOrder(layers, activation, batch, shards, GradientPrecision.Float32);

    [Theory]
    [InlineData(new[] { 13, 37, 5 }, ActivationKind.Relu, 40, 8)]
    [InlineData(new[] { 13, 70, 33, 5 }, ActivationKind.Maxout, 37, 4)]
    [InlineData(new[] { 20, 64, 1 }, ActivationKind.Tanh, 128, 16)]
    public void Node_in_bfloat16_has_the_bits_of_its_leaves_rounded_and_summed_in_tree_order(int[] layers, ActivationKind activation, int batch, int shards)
        => MatchesLeavesSummedInTreeOrder(layers, activation, batch, shards, GradientPrecision.BFloat16);

    static void MatchesLeavesSummedInTreeOrder(int[] layers, ActivationKind activation, int batch, int shards, GradientPrecision precision)
    {
        var head = layers[^1] == 1 ? HeadKind.SigmoidLogLoss : HeadKind.SoftmaxCrossEntropy;
        var spec = new ModelSpec(layers, activation, head, MaxoutPieces: 3);
        var model = new Mlp(spec);
        var samples = new RandomSamples(3 * batch + 1, layers[0], layers[^1]);
        var plan = new TrainingPlan(samples.Count, 1, batch, shards, 5);
        var fast = new LeafComputer(model, samples, plan, precision);
        var oracle = new LeafComputer(model, samples, plan, precision);
        var parameters = Initializer.Create(spec, InitKind.Auto, 5);
        var step = new StepAssignment(1, 0, 1);
        var expected = new float[model.NodeLength];
        var actual = new float[model.NodeLength];
        for (int level = 0; (1 << level) <= shards; level++)
            for (int index = 0; index < shards >> level; index++)
            {
                var node = new TreeNode(level, index);
                oracle.ComputeNodeByLeaves(parameters, step, node, expected);
                fast.ComputeNode(parameters, step, node, actual);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{node} differs");
                if (precision == GradientPrecision.BFloat16)
                    Assert.True(actual.AsSpan(0, model.Layout.Count).SequenceEqual(actual.AsSpan(0, model.Layout.Count).ToArray().Select(ActorMlp.Core.Tensors.BFloat16.Round).ToArray()),
                        $"{node} holds a gradient value that is not a bfloat16");
            }
    }

    [Fact]
    public void Node_computed_in_parts_reports_each_part_final_and_has_the_bits_of_one_pass()
    {
        var spec = new ModelSpec([13, 37, 11, 5], ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy, MaxoutPieces: 3);
        var model = new Mlp(spec);
        var samples = new RandomSamples(100, 13, 5);
        var plan = new TrainingPlan(samples.Count, 1, 40, 8, 5);
        var computer = new LeafComputer(model, samples, plan);
        var parameters = Initializer.Create(spec, InitKind.Auto, 5);
        var step = new StepAssignment(1, 0, 1);
        var node = new TreeNode(2, 1);
        var whole = new float[model.NodeLength];
        computer.ComputeNode(parameters, step, node, whole);

        var first = model.Layout.Layers[0];
        RowRange[] order = [new(0, 0), new(20, 37), new(0, 20)];
        var inParts = Enumerable.Repeat(float.NaN, model.NodeLength).ToArray();
        var reported = new List<int>();
        computer.ComputeNode(parameters, step, node, inParts, new NodeParts(order, part =>
        {
            reported.Add(part);
            // Everything past the first layer's weights, and this part's rows of them, are final now.
            Assert.True(whole.AsSpan(first.WeightOffset + first.WeightCount).SequenceEqual(inParts.AsSpan(first.WeightOffset + first.WeightCount)));
            var rows = order[part];
            var span = (first.WeightOffset + rows.Start * first.Inputs)..(first.WeightOffset + rows.End * first.Inputs);
            Assert.True(whole.AsSpan()[span].SequenceEqual(inParts.AsSpan()[span]), $"part {part} is not final when reported");
        }));
        Assert.Equal([0, 1, 2], reported);
        Assert.Equal(whole.Select(BitConverter.SingleToInt32Bits), inParts.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Node_parts_that_miss_a_row_are_refused()
    {
        var model = new Mlp(new ModelSpec([4, 6, 2], ActivationKind.Relu, HeadKind.SoftmaxCrossEntropy, MaxoutPieces: 3));
        var samples = new RandomSamples(16, 4, 2);
        var computer = new LeafComputer(model, samples, new TrainingPlan(16, 1, 8, 2, 1));
        var parameters = Initializer.Create(model.Spec, InitKind.Auto, 1);
        var e = Assert.Throws<ArgumentException>(() => computer.ComputeNode(parameters, new StepAssignment(0, 0, 0), TreeNode.Root(2),
            new float[model.NodeLength], new NodeParts([new(0, 2), new(3, 6)], _ => { })));
        Assert.Contains("cover 5 of the first layer's 6 rows", e.Message);
    }
}
