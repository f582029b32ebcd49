using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Links;
using ActorMlp.Core.Determinism;
using ActorMlp.Core.Model;
using ActorMlp.Core.Training;

namespace ActorMlp.Cluster.Tests;

public sealed class SpotCheckTests
{
    /// <summary>A fixed 32-byte key: the coordinator draws its own, these tests need the same picks each time.</summary>
    static byte[] Key(int seed)
    {
        var rng = new SplitMix64((ulong)seed);
        return Enumerable.Range(0, 4).SelectMany(_ => BitConverter.GetBytes(rng.Next())).ToArray();
    }

    /// <summary>Every node of a 16-leaf tree, for steps 0..steps-1.</summary>
    static IEnumerable<(long Step, TreeNode Node)> Pairs(int steps)
    {
        for (long step = 0; step < steps; step++)
            for (int level = 0; level <= 4; level++)
                for (int index = 0; index < 16 >> level; index++)
                    yield return (step, new TreeNode(level, index));
    }

    [Fact]
    public void Picks_nothing_at_zero_and_everything_at_one()
    {
        var pairs = Pairs(200).ToList();
        Assert.DoesNotContain(pairs, p => SpotCheck.Picks(Key(42), 0, p.Step, p.Node));
        Assert.All(pairs, p => Assert.True(SpotCheck.Picks(Key(42), 1, p.Step, p.Node)));
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void Picks_about_the_fraction_asked(double fraction)
    {
        var pairs = Pairs(1000).ToList();                                   // 31,000 pairs
        double picked = pairs.Count(p => SpotCheck.Picks(Key(0xC0FFEE), fraction, p.Step, p.Node)) / (double)pairs.Count;
        // Five standard deviations of a binomial proportion.
        Assert.InRange(picked, fraction - 5 * Math.Sqrt(fraction * (1 - fraction) / pairs.Count), fraction + 5 * Math.Sqrt(fraction * (1 - fraction) / pairs.Count));
    }

    [Fact]
    public void Picks_the_same_nodes_for_a_key_and_other_nodes_for_another_key()
    {
        var pairs = Pairs(300).ToList();
        var first = pairs.Where(p => SpotCheck.Picks(Key(7), 0.1, p.Step, p.Node)).ToList();
        var again = pairs.Where(p => SpotCheck.Picks(Key(7), 0.1, p.Step, p.Node)).ToList();
        var other = pairs.Where(p => SpotCheck.Picks(Key(8), 0.1, p.Step, p.Node)).ToList();
        Assert.NotEmpty(first);
        Assert.Equal(first, again);
        Assert.True(first.Intersect(other).Count() < first.Count / 2, "another key picks mostly other nodes");
    }

    [Fact]
    public void Picks_each_level_and_each_step_alike()
    {
        // A worker sending one big subtree must be as likely checked as one sending leaves.
        var pairs = Pairs(4000).ToList();
        foreach (int level in new[] { 0, 4 })
        {
            var atLevel = pairs.Where(p => p.Node.Level == level).ToList();
            double picked = atLevel.Count(p => SpotCheck.Picks(Key(99), 0.25, p.Step, p.Node)) / (double)atLevel.Count;
            Assert.InRange(picked, 0.25 - 5 * Math.Sqrt(0.25 * 0.75 / atLevel.Count), 0.25 + 5 * Math.Sqrt(0.25 * 0.75 / atLevel.Count));
        }
    }

    [Fact]
    public void Confirms_a_node_a_worker_computed_and_refutes_it_with_one_bit_changed()
    {
        var model = new Mlp(Fixtures.Spec);
        var samples = new SyntheticSamples(64);
        var trainer = Fixtures.NewTrainer();
        var check = new SpotCheck(1, Key(1), model, samples, Fixtures.Plan);
        var weights = new WeightsSnapshot.Pool(model.Layout.Count).Take(0, trainer.Parameters);
        var step = Fixtures.Plan.Assignment(0);
        var node = new TreeNode(1, 1);
        var worker = new float[model.NodeLength];
        new LeafComputer(model, samples, Fixtures.Plan).ComputeNode(trainer.Parameters, step, node, worker);

        Assert.True(check.Confirms(weights, step, node, worker));
        var flipped = (float[])worker.Clone();
        flipped[5] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(flipped[5]) ^ 1);
        Assert.False(check.Confirms(weights, step, node, flipped));
        Assert.False(check.Confirms(weights, step, new TreeNode(1, 0), worker));   // another node's value
    }

    [Fact]
    public void Confirms_a_node_that_crossed_a_bfloat16_link_both_ways()
    {
        var model = new Mlp(Fixtures.Spec);
        var samples = new SyntheticSamples(64);
        var trainer = Fixtures.NewTrainer();
        var check = new SpotCheck(1, Key(1), model, samples, Fixtures.Plan, bf16Wire: true);
        var weights = new WeightsSnapshot.Pool(model.Layout.Count, half: true).Take(0, trainer.Parameters);
        var received = new float[model.Layout.Count];
        Core.Tensors.BFloat16.Widen(weights.Half, received);
        var step = Fixtures.Plan.Assignment(0);
        var node = TreeNode.Root(Fixtures.Plan.MicroShards);
        var worker = new float[model.NodeLength];
        new LeafComputer(model, samples, Fixtures.Plan).ComputeNode(received, step, node, worker);
        var arrived = new float[model.NodeLength];
        var wire = new ushort[SubtreeWire16.Length(model.NodeLength)];
        SubtreeWire16.Narrow(worker, wire);
        SubtreeWire16.Widen(wire, arrived);

        Assert.True(check.Confirms(weights, step, node, arrived));
        // Not vacuous: the weights and the node each differ from their full-width forms.
        Assert.NotEqual(received, trainer.Parameters);
        Assert.False(check.Confirms(weights, step, node, worker));
    }

    [Fact]
    public void Same_bits_tells_negative_zero_from_zero()
    {
        Assert.True(SpotCheck.SameBits([1f, 0f], [1f, 0f]));
        Assert.False(SpotCheck.SameBits([1f, 0f], [1f, -0f]));
    }
}
