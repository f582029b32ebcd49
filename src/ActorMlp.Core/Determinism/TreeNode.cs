namespace ActorMlp.Core.Determinism;

/// <summary>
/// Node (level, index) of the canonical reduction tree: it covers leaves [index·2^level, (index+1)·2^level)
/// and its value is left child + right child, elementwise, left first.
/// </summary>
internal readonly record struct TreeNode(int Level, int Index)
{
    public int FirstLeaf => Index << Level;
    public int LeafCount => 1 << Level;
    public int EndLeaf => FirstLeaf + LeafCount;
    public TreeNode Left => new(Level - 1, 2 * Index);
    public TreeNode Right => new(Level - 1, 2 * Index + 1);

    /// <summary>
    /// Whether this node belongs to a tree of <paramref name="leaves"/> leaves, computed without overflow:
    /// a level and index read from the wire can be anything, and <see cref="EndLeaf"/> wraps in 32 bits
    /// (level 30, index 1 gives a negative end).
    /// </summary>
    public bool IsIn(int leaves) => Level is >= 0 and <= 30 && Index >= 0 && ((long)Index + 1 << Level) <= leaves;

    /// <summary>The root of a tree of <paramref name="leaves"/> leaves (a power of two).</summary>
    public static TreeNode Root(int leaves) => new(System.Numerics.BitOperations.Log2((uint)leaves), 0);

    /// <summary>
    /// The unique maximal aligned subtrees that cover leaves [start, end), left to right: what a worker
    /// owning that range sends, one node when the range is aligned, a few otherwise.
    /// </summary>
    public static List<TreeNode> Cover(int start, int end)
    {
        var nodes = new List<TreeNode>();
        Cover(start, end, nodes);
        return nodes;
    }

    /// <summary>The same nodes, written over <paramref name="nodes"/> so a step can reuse one list.</summary>
    public static void Cover(int start, int end, List<TreeNode> nodes)
    {
        nodes.Clear();
        int p = start;
        while (p < end)
        {
            int level = p == 0 ? 30 : System.Numerics.BitOperations.TrailingZeroCount(p);
            while (level > 0 && (long)p + (1L << level) > end) level--;
            nodes.Add(new TreeNode(level, p >> level));
            p += 1 << level;
        }
    }

    public override string ToString() => $"node({Level},{Index})";
}
