using System.Numerics.Tensors;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Determinism;

/// <summary>
/// Computes the value of one tree node from its leaves, streaming them left to right and merging
/// like a binary counter: only level+1 buffers live at once, and every internal node is formed as
/// left + right exactly as the canonical tree prescribes.
/// </summary>
internal sealed class SubtreeReducer
{
    readonly int _length;
    readonly List<float[]> _buffers = new();
    readonly int[] _levels = new int[32];

    /// <param name="length">Elements of the longest node value it will compute.</param>
    public SubtreeReducer(int length) => _length = length;

    public delegate void LeafWriter(int leaf, Span<float> destination);

    /// <summary>The value of <paramref name="node"/>, as long as <paramref name="result"/> (at most the length given at construction).</summary>
    /// <param name="rounded">
    /// How many leading elements of each value are gradient held in bfloat16 (<see cref="GradientPrecision"/>):
    /// rounded in each leaf as it is written and in each sum; 0 for a tree of floats.
    /// </param>
    public void Compute(TreeNode node, LeafWriter computeLeaf, Span<float> result, int rounded = 0)
    {
        rounded = Math.Min(rounded, result.Length);
        int length = result.Length;
        if (length > _length) throw new ArgumentException($"result has {length} elements; this reducer holds {_length}", nameof(result));
        while (_buffers.Count < node.Level + 1) _buffers.Add(new float[_length]);

        int depth = 0;
        for (int leaf = node.FirstLeaf; leaf < node.EndLeaf; leaf++)
        {
            computeLeaf(leaf, _buffers[depth].AsSpan(0, length));
            if (rounded > 0) BFloat16.Round(_buffers[depth].AsSpan(0, rounded));
            _levels[depth++] = 0;
            while (depth >= 2 && _levels[depth - 1] == _levels[depth - 2])
            {
                Combine(_buffers[depth - 2].AsSpan(0, length), _buffers[depth - 1].AsSpan(0, length), rounded);
                _levels[depth - 2]++;
                depth--;
            }
        }
        _buffers[0].AsSpan(0, length).CopyTo(result);
    }

    /// <summary>left ← left + right: the one operation the tree is made of.</summary>
    public static void Combine(Span<float> left, ReadOnlySpan<float> right) => TensorPrimitives.Add(left, right, left);

    /// <summary>left ← left + right, its first <paramref name="rounded"/> elements then rounded to bfloat16 (<see cref="GradientPrecision"/>).</summary>
    public static void Combine(Span<float> left, ReadOnlySpan<float> right, int rounded)
    {
        TensorPrimitives.Add(left, right, left);
        if (rounded > 0) BFloat16.Round(left[..Math.Min(rounded, left.Length)]);
    }
}
