namespace ActorMlp.Core.Model;

/// <summary>Outputs [Start, End) of a layer: rows of its weight matrix.</summary>
internal readonly record struct RowRange(int Start, int End)
{
    public int Length => End - Start;
}

/// <summary>
/// Told, while a node is being computed, that part <paramref name="part"/> of its first layer's weight
/// gradient is final, and with it every value outside that layer's weights (they are computed first).
/// Backpropagation reaches the first layer last, and its weights are most of the node: a caller that
/// ships the node in pieces can send each piece as soon as it is final, while the rest is computed.
/// </summary>
internal delegate void NodePartDone(int part);

/// <summary>The order in which a node's first-layer weight gradient is computed, and who hears as each part is done.</summary>
internal readonly ref struct NodeParts(ReadOnlySpan<RowRange> firstLayerRows, NodePartDone done)
{
    public ReadOnlySpan<RowRange> FirstLayerRows { get; } = firstLayerRows;
    public NodePartDone? Done { get; } = done;
    public bool IsEmpty => Done is null;

    /// <summary>Throws unless the parts cover rows [0, <paramref name="rows"/>) exactly once.</summary>
    public void Validate(int rows)
    {
        long total = 0;
        for (int i = 0; i < FirstLayerRows.Length; i++)
        {
            var r = FirstLayerRows[i];
            if (r.Start < 0 || r.End > rows || r.Start > r.End) throw new ArgumentException($"part {i}, rows [{r.Start}, {r.End}), is not within the first layer's {rows}");
            for (int j = 0; j < i; j++)
                if (r.Length > 0 && FirstLayerRows[j].Length > 0 && r.Start < FirstLayerRows[j].End && FirstLayerRows[j].Start < r.End)
                    throw new ArgumentException($"parts {j} and {i} overlap");
            total += r.Length;
        }
        if (total != rows) throw new ArgumentException($"the parts cover {total} of the first layer's {rows} rows");
    }
}
