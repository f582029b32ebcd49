namespace ActorMlp.Core.Determinism;

/// <summary>
/// Collects node values of one step's reduction tree, from whoever computed them, and forms the
/// root in canonical order. A node already known (received, or covered by a received ancestor)
/// is ignored: any copy of a node has the same bits, so the first one wins.
/// Siblings are summed (left + right) as soon as both are in, so most of the combining happens
/// while later subtrees are still being computed, not after the last one arrives. The root's own
/// sum is left to the caller (<see cref="RootHalves"/>), which can fold it into its next pass.
/// </summary>
internal sealed class TreeAssembler
{
    readonly int _leaves;
    readonly TreeNode _root;
    readonly Dictionary<TreeNode, float[]> _nodes = new();
    readonly bool[] _covered;
    // Right siblings already summed into their left sibling's buffer: still ours until Clear.
    readonly List<float[]> _absorbed = new();

    public TreeAssembler(int leaves)
    {
        if (!ShardPlan.IsPowerOfTwo(leaves)) throw new ArgumentException("leaf count must be a power of two", nameof(leaves));
        _leaves = leaves;
        _root = TreeNode.Root(leaves);
        _covered = new bool[leaves];
    }

    public int Leaves => _leaves;

    /// <summary>
    /// How many leading elements of each value are gradient held in bfloat16 (<see cref="GradientPrecision"/>),
    /// rounded again after each sum; 0 (the default) for a tree of floats. Values are whole nodes or one
    /// slice of them, so the owner of a slice sets what of it is gradient.
    /// </summary>
    public int Rounded { get; set; }

    /// <summary>True when every leaf is covered by some received node.</summary>
    public bool Complete => CoveredCount == _leaves;

    public int CoveredCount { get; private set; }

    public bool IsCovered(int leaf) => _covered[leaf];

    /// <summary>
    /// Offers a node value; returns false (and keeps nothing) when its leaves are already covered.
    /// A node some of whose leaves are covered takes the place of the nodes that cover them: aligned
    /// nodes nest or lie apart, so each of those lies inside it, and its value is what the tree would
    /// form from them and the rest, bit for bit. Refusing it instead would leave its other leaves
    /// uncovered whenever they come only inside it (a step whose leaves went out again as one bigger
    /// node after a smaller part of it had arrived).
    /// </summary>
    public bool TryAdd(TreeNode node, float[] value)
    {
        if (!node.IsIn(_leaves))
            throw new ArgumentOutOfRangeException(nameof(node), $"{node} is not in a tree of {_leaves} leaves");
        int covered = 0;
        for (int leaf = node.FirstLeaf; leaf < node.EndLeaf; leaf++)
            if (_covered[leaf]) covered++;
        if (covered == node.LeafCount) return false;
        if (covered > 0) Displace(node, covered);
        for (int leaf = node.FirstLeaf; leaf < node.EndLeaf; leaf++) _covered[leaf] = true;
        CoveredCount += node.LeafCount;
        while (node.Level < _root.Level - 1)
        {
            bool isLeft = (node.Index & 1) == 0;
            var sibling = new TreeNode(node.Level, node.Index ^ 1);
            if (!_nodes.Remove(sibling, out var other)) break;
            var (left, right) = isLeft ? (value, other) : (other, value);
            SubtreeReducer.Combine(left, right, Rounded);
            _absorbed.Add(right);
            value = left;
            node = new TreeNode(node.Level + 1, node.Index >> 1);
        }
        _nodes[node] = value;
        return true;
    }

    /// <summary>
    /// Forgets the nodes inside <paramref name="node"/>, which covered <paramref name="covered"/> of its
    /// leaves (their buffers stay ours until Clear). None of them has been summed past it: that takes
    /// every leaf of it.
    /// </summary>
    void Displace(TreeNode node, int covered)
    {
        var inside = new List<TreeNode>();
        foreach (var stored in _nodes.Keys)
            if (stored.FirstLeaf >= node.FirstLeaf && stored.EndLeaf <= node.EndLeaf) inside.Add(stored);
        foreach (var stored in inside)
        {
            _nodes.Remove(stored, out var buffer);
            _absorbed.Add(buffer!);
        }
        CoveredCount -= covered;
    }

    /// <summary>
    /// The root value. Internal nodes are summed into the buffer of their leftmost received
    /// descendant, so the received buffers are consumed; call once per step, then <see cref="Clear"/>.
    /// Once every leaf is covered the eager sums have already formed the root.
    /// </summary>
    public float[] Root()
    {
        if (!Complete) throw new InvalidOperationException($"only {CoveredCount} of {_leaves} leaves are covered");
        return Value(_root);
    }

    /// <summary>
    /// The root as its two halves, left and right, whose elementwise sum left + right is the root; or
    /// the root itself and null when it arrived whole (or the tree is one leaf). Call once every leaf is
    /// covered; the buffers stay the assembler's until <see cref="Clear"/>.
    /// </summary>
    public (float[] Left, float[]? Right) RootHalves()
    {
        if (!Complete) throw new InvalidOperationException($"only {CoveredCount} of {_leaves} leaves are covered");
        if (_nodes.TryGetValue(_root, out var whole)) return (whole, null);
        return (Value(_root.Left), Value(_root.Right));
    }

    float[] Value(TreeNode node)
    {
        if (_nodes.TryGetValue(node, out var value)) return value;
        var left = Value(node.Left);
        var right = Value(node.Right);
        SubtreeReducer.Combine(left, right, Rounded);
        return left;
    }

    /// <summary>Forgets every node, ready for the next step, handing each buffer it held to <paramref name="release"/>.</summary>
    public void Clear(Action<float[]>? release = null)
    {
        if (release is not null)
        {
            foreach (var buffer in _nodes.Values) release(buffer);
            foreach (var buffer in _absorbed) release(buffer);
        }
        _nodes.Clear();
        _absorbed.Clear();
        Array.Clear(_covered);
        CoveredCount = 0;
    }
}
