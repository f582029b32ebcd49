using ActorMlp.Core.Determinism;

namespace ActorMlp.Core.Tests;

public class ReductionTreeTests
{
    const int Length = 37;

    static float[][] RandomLeaves(int count, int seed)
    {
        var random = new Random(seed);
        // Values of mixed magnitude make float addition visibly non-associative.
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, Length)
            .Select(_ => (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 6)))).ToArray()).ToArray();
    }

    static float[] Node(float[][] leaves, TreeNode node, SubtreeReducer reducer)
    {
        var result = new float[Length];
        reducer.Compute(node, (leaf, destination) => leaves[leaf].CopyTo(destination), result);
        return result;
    }

    static float[] Canonical(float[][] leaves, TreeNode node)
    {
        if (node.Level == 0) return (float[])leaves[node.Index].Clone();
        var left = Canonical(leaves, node.Left);
        var right = Canonical(leaves, node.Right);
        for (int i = 0; i < Length; i++) left[i] += right[i];
        return left;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(16)]
    [InlineData(64)]
    public void Streaming_reducer_matches_the_recursive_definition(int leafCount)
    {
        var leaves = RandomLeaves(leafCount, leafCount);
        var root = TreeNode.Root(leafCount);
        Assert.Equal(Canonical(leaves, root), Node(leaves, root, new SubtreeReducer(Length)));
    }

    [Fact]
    public void Root_has_the_same_bits_for_every_grouping_of_the_leaves()
    {
        const int m = 16;
        var leaves = RandomLeaves(m, 1);
        var reducer = new SubtreeReducer(Length);
        var expected = Node(leaves, TreeNode.Root(m), reducer);
        var sequential = new float[Length];
        foreach (var leaf in leaves)
            for (int i = 0; i < Length; i++) sequential[i] += leaf[i];
        Assert.NotEqual(expected, sequential); // the data is such that order matters

        var random = new Random(5);
        for (int trial = 0; trial < 200; trial++)
        {
            // Random contiguous ranges, as workers of any count and weights would own them, sent in random order.
            var cuts = Enumerable.Range(1, m - 1).Where(_ => random.Next(3) == 0).Prepend(0).Append(m).ToList();
            var nodes = new List<TreeNode>();
            for (int r = 0; r + 1 < cuts.Count; r++) nodes.AddRange(TreeNode.Cover(cuts[r], cuts[r + 1]));
            var assembler = new TreeAssembler(m);
            foreach (var node in nodes.OrderBy(_ => random.Next()))
                Assert.True(assembler.TryAdd(node, Node(leaves, node, reducer)));
            Assert.True(assembler.Complete);
            Assert.Equal(expected, assembler.Root());
        }
    }

    [Fact]
    public void A_bfloat16_tree_has_the_same_bits_for_every_grouping_and_every_node_fits_bfloat16()
    {
        const int m = 16, rounded = Length - 2; // the last two values stand for the metrics, never rounded
        var leaves = RandomLeaves(m, 3);
        var reducer = new SubtreeReducer(Length);
        float[] NodeBf16(TreeNode node)
        {
            var result = new float[Length];
            reducer.Compute(node, (leaf, destination) => leaves[leaf].CopyTo(destination), result, rounded);
            return result;
        }
        var expected = NodeBf16(TreeNode.Root(m));
        Assert.NotEqual(Node(leaves, TreeNode.Root(m), reducer), expected);
        Assert.Equal(Canonical(leaves, TreeNode.Root(m))[rounded..], expected[rounded..]);

        var random = new Random(9);
        for (int trial = 0; trial < 100; trial++)
        {
            var cuts = Enumerable.Range(1, m - 1).Where(_ => random.Next(3) == 0).Prepend(0).Append(m).ToList();
            var nodes = new List<TreeNode>();
            for (int r = 0; r + 1 < cuts.Count; r++) nodes.AddRange(TreeNode.Cover(cuts[r], cuts[r + 1]));
            var assembler = new TreeAssembler(m) { Rounded = rounded };
            foreach (var node in nodes.OrderBy(_ => random.Next()))
            {
                var value = NodeBf16(node);
                // What a worker sends: its gradient survives bfloat16 unchanged.
                Assert.All(value[..rounded], v => Assert.Equal(BitConverter.SingleToInt32Bits(ActorMlp.Core.Tensors.BFloat16.Round(v)), BitConverter.SingleToInt32Bits(v)));
                Assert.True(assembler.TryAdd(node, value));
            }
            Assert.Equal(expected, assembler.Root());
        }
    }

    [Theory]
    [InlineData(30, 1)]          // EndLeaf wraps negative in 32 bits
    [InlineData(1, 1 << 30)]     // FirstLeaf wraps negative
    [InlineData(31, 0)]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    [InlineData(0, 16)]
    [InlineData(2, 4)]
    public void A_node_from_outside_the_tree_is_refused_without_overflow(int level, int index)
    {
        var node = new TreeNode(level, index);
        Assert.False(node.IsIn(16));
        var assembler = new TreeAssembler(16);
        Assert.Throws<ArgumentOutOfRangeException>(() => assembler.TryAdd(node, new float[Length]));
        Assert.Equal(0, assembler.CoveredCount);
        Assert.True(new TreeNode(2, 3).IsIn(16) && new TreeNode(4, 0).IsIn(16) && new TreeNode(0, 15).IsIn(16));
    }

    [Fact]
    public void Cover_gives_maximal_aligned_subtrees()
    {
        Assert.Equal(new[] { new TreeNode(4, 0) }, TreeNode.Cover(0, 16));
        Assert.Equal(new[] { new TreeNode(0, 3), new TreeNode(2, 1), new TreeNode(1, 4) }, TreeNode.Cover(3, 10));
        Assert.Equal(new[] { new TreeNode(3, 1) }, TreeNode.Cover(8, 16));
        Assert.Empty(TreeNode.Cover(5, 5));
    }

    [Fact]
    public void Assembler_ignores_copies_of_covered_leaves()
    {
        var leaves = RandomLeaves(4, 2);
        var reducer = new SubtreeReducer(Length);
        var assembler = new TreeAssembler(4);
        Assert.True(assembler.TryAdd(new TreeNode(1, 0), Node(leaves, new TreeNode(1, 0), reducer)));
        Assert.False(assembler.TryAdd(new TreeNode(0, 1), new float[Length])); // duplicate of a covered leaf
        Assert.False(assembler.Complete);
        Assert.Throws<InvalidOperationException>(() => assembler.Root());
        Assert.True(assembler.TryAdd(new TreeNode(1, 1), Node(leaves, new TreeNode(1, 1), reducer)));
        Assert.Equal(Canonical(leaves, TreeNode.Root(4)), assembler.Root());
    }

    [Fact]
    public void A_node_that_holds_covered_leaves_takes_their_place_with_the_canonical_bits()
    {
        var leaves = RandomLeaves(16, 5);
        var reducer = new SubtreeReducer(Length);
        var assembler = new TreeAssembler(16);
        // A part of [0, 16) arrives first, then [0, 16) itself, as when a step's leaves went out again as one node.
        Assert.True(assembler.TryAdd(new TreeNode(2, 2), Node(leaves, new TreeNode(2, 2), reducer)));
        Assert.True(assembler.TryAdd(new TreeNode(1, 6), Node(leaves, new TreeNode(1, 6), reducer)));
        Assert.True(assembler.TryAdd(new TreeNode(4, 0), Node(leaves, new TreeNode(4, 0), reducer)));
        Assert.True(assembler.Complete);
        Assert.Equal(16, assembler.CoveredCount);
        Assert.Equal(Canonical(leaves, TreeNode.Root(16)), assembler.Root());

        // The same within a half: [8, 12) then [8, 16), with [0, 8) whole.
        assembler.Clear();
        Assert.True(assembler.TryAdd(new TreeNode(2, 2), Node(leaves, new TreeNode(2, 2), reducer)));
        Assert.True(assembler.TryAdd(new TreeNode(3, 1), Node(leaves, new TreeNode(3, 1), reducer)));
        Assert.False(assembler.TryAdd(new TreeNode(0, 13), new float[Length])); // inside a covered node: a copy
        Assert.Equal(8, assembler.CoveredCount);
        Assert.True(assembler.TryAdd(new TreeNode(3, 0), Node(leaves, new TreeNode(3, 0), reducer)));
        Assert.Equal(Canonical(leaves, TreeNode.Root(16)), assembler.Root());
    }

    [Fact]
    public void Assembler_refuses_nodes_outside_the_tree_and_non_power_of_two_sizes()
    {
        Assert.Throws<ArgumentException>(() => new TreeAssembler(6));
        var assembler = new TreeAssembler(8);
        Assert.Throws<ArgumentOutOfRangeException>(() => assembler.TryAdd(new TreeNode(2, 2), new float[1]));
    }

    [Fact]
    public void Assembler_hands_back_every_buffer_it_was_given_once_summed_or_not()
    {
        var leaves = RandomLeaves(8, 3);
        var reducer = new SubtreeReducer(Length);
        var assembler = new TreeAssembler(8);
        var given = TreeNode.Cover(0, 3).Concat(TreeNode.Cover(3, 8)).Select(n => (n, Node(leaves, n, reducer))).ToList();
        foreach (var (node, value) in given) Assert.True(assembler.TryAdd(node, value));
        Assert.Equal(Canonical(leaves, TreeNode.Root(8)), assembler.Root());

        var released = new List<float[]>();
        assembler.Clear(released.Add);

        Assert.Equal(given.Count, released.Count);
        Assert.All(given, g => Assert.Single(released, b => ReferenceEquals(b, g.Item2)));
        Assert.Equal(0, assembler.CoveredCount);
    }

    [Fact]
    public void Root_halves_sum_to_the_root_and_a_whole_root_comes_alone()
    {
        var leaves = RandomLeaves(8, 4);
        var reducer = new SubtreeReducer(Length);
        var expected = Canonical(leaves, TreeNode.Root(8));

        var split = new TreeAssembler(8);
        foreach (var node in TreeNode.Cover(0, 5).Concat(TreeNode.Cover(5, 8))) split.TryAdd(node, Node(leaves, node, reducer));
        var (left, right) = split.RootHalves();
        Assert.NotNull(right);
        SubtreeReducer.Combine(left, right);
        Assert.Equal(expected, left);

        var whole = new TreeAssembler(8);
        whole.TryAdd(TreeNode.Root(8), Node(leaves, TreeNode.Root(8), reducer));
        var (root, none) = whole.RootHalves();
        Assert.Null(none);
        Assert.Equal(expected, root);
    }
}
