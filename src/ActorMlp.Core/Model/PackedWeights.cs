using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Model;

/// <summary>
/// Every layer's W packed once per step for the two products that read it — z = x·Wᵀ forward and
/// dX = δ·W backward — and reused by all the leaves computed on those weights. Packing is as much
/// work as a micro-shard's product, so doing it once instead of per leaf matters at small shards.
/// Results are bitwise those of the unpacked GEMM.
/// </summary>
internal sealed class PackedWeights
{
    readonly ParameterLayout _layout;
    internal readonly PackedB[] Forward, Backward;

    public PackedWeights(ParameterLayout layout)
    {
        _layout = layout;
        Forward = layout.Layers.Select(_ => new PackedB()).ToArray();
        Backward = layout.Layers.Select(_ => new PackedB()).ToArray();
    }

    public void Pack(ReadOnlySpan<float> parameters)
    {
        for (int l = 0; l < _layout.Layers.Count; l++)
        {
            var d = _layout.Layers[l];
            var w = parameters.Slice(d.WeightOffset, d.WeightCount);
            // W is (out, in): op(B) = Wᵀ is (in, out) forward, op(B) = W is (out, in) backward
            Forward[l].Pack(true, d.Inputs, d.Rows, w, d.Inputs);
            if (l > 0) Backward[l].Pack(false, d.Rows, d.Inputs, w, d.Inputs);
        }
    }
}
