namespace ActorMlp.Core.Determinism;

/// <summary>
/// Cuts a tree node's value (length n) into k contiguous slices, one per owner of the peer-to-peer
/// reduction. Slice boundaries fall on multiples of <see cref="Alignment"/> floats (64 bytes), so an
/// owner's sums run on whole cache lines; the last slice takes the rest. Every element of the tree
/// is summed elementwise, so how the vector is cut never changes a bit of the result.
/// </summary>
internal sealed class SlicePlan
{
    public const int Alignment = 16;

    readonly int[] _starts;

    public SlicePlan(int length, int parts)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), "a node has at least one element");
        if (parts < 1) throw new ArgumentOutOfRangeException(nameof(parts), "at least one slice");
        Length = length;
        _starts = new int[parts + 1];
        int blocks = (length + Alignment - 1) / Alignment;
        for (int j = 0; j <= parts; j++)
            _starts[j] = (int)Math.Min(length, (long)blocks * j / parts * Alignment);
        _starts[parts] = length;
    }

    public int Length { get; }

    public int Count => _starts.Length - 1;

    public int Start(int slice) => _starts[slice];

    public int SliceLength(int slice) => _starts[slice + 1] - _starts[slice];

    public Range Range(int slice) => _starts[slice].._starts[slice + 1];
}
