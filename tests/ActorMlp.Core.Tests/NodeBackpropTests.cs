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
    {
        var head = layers[^1] == 1 ? HeadKind.SigmoidLogLoss : HeadKind.SoftmaxCrossEntropy;
        var spec = new ModelSpec(layers, activation, head, MaxoutPieces: 3);
        var model = new Mlp(spec);
        var samples = new RandomSamples(3 * batch + 1, layers[0], layers[^1]);
        var plan = new TrainingPlan(samples.Count, 1, batch, shards, 5);
        var fast = new LeafComputer(model, samples, plan);
        var oracle = new LeafComputer(model, samples, plan);
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
            }
    }
}
