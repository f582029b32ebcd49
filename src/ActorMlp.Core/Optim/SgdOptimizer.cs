using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using ActorMlp.Core.Numerics;
using ActorMlp.Core.Tensors;

namespace ActorMlp.Core.Optim;

/// <summary>
/// SGD with optional L2 weight decay and momentum in PyTorch's form:
/// g ← g + λw; v ← μv + g; w ← w − lr·v (heavy ball) or w ← w − lr·(g + μv) (Nesterov).
/// Plain SGD (kind Sgd, momentum 0) keeps no state.
/// </summary>
internal sealed class SgdOptimizer : Optimizer
{
    readonly float _momentum, _decay;
    readonly bool _nesterov;
    readonly float[]? _velocity;

    public SgdOptimizer(OptimizerSettings s, int parameters)
    {
        _decay = s.WeightDecay;
        _nesterov = s.Kind == OptimizerKind.Nesterov;
        _momentum = s.Kind == OptimizerKind.Sgd && s.Momentum == 0f ? 0f : s.Momentum;
        if (_momentum != 0f) _velocity = new float[parameters];
    }

    public override float[][] State => _velocity is null ? [] : [_velocity];

    // One pass over w, g and v: the model is larger than L2, so every extra pass is a trip to L3.
    // Each update is a multiply-add of the numeric class (Fused), so every path of a class gives the same bits.
    private protected override void Apply(Span<float> w, Span<float> g, float lr, float scale, ReadOnlySpan<float> addend, Span<float> copyTo)
    {
        float decay = _decay, mu = _momentum, step = -lr;
        bool momentum = _velocity is not null, nesterov = _nesterov, add = !addend.IsEmpty, copy = !copyTo.IsEmpty;
        Span<float> v = momentum ? _velocity : w;
        int n = w.Length, i = 0;
        ref float pw = ref MemoryMarshal.GetReference(w), pg = ref MemoryMarshal.GetReference(g), pv = ref MemoryMarshal.GetReference(v);
        ref float pa = ref MemoryMarshal.GetReference(add ? addend : g);
        ref float pc = ref MemoryMarshal.GetReference(copy ? copyTo : w);
        // Each path's body is the same operations lane by lane, and the scalar tail the same again.
        switch (ComputeKernel.Current)
        {
            case KernelPath.Avx512:
                for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                {
                    var wi = Vector512.LoadUnsafe(ref pw, (nuint)i);
                    var gi = Vector512.LoadUnsafe(ref pg, (nuint)i);
                    if (add) gi += Vector512.LoadUnsafe(ref pa, (nuint)i);                                     // the root's last sum, left + right
                    gi *= scale;
                    if (decay != 0f) gi = Vector512.FusedMultiplyAdd(wi, Vector512.Create(decay), gi);           // g ← λw + g
                    if (momentum)
                    {
                        var vi = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref pv, (nuint)i), Vector512.Create(mu), gi); // v ← μv + g
                        vi.StoreUnsafe(ref pv, (nuint)i);
                        gi = nesterov ? Vector512.FusedMultiplyAdd(vi, Vector512.Create(mu), gi) : vi;          // g ← μv + g, or v
                    }
                    wi = Vector512.FusedMultiplyAdd(gi, Vector512.Create(step), wi);                          // w ← w − lr·g
                    wi.StoreUnsafe(ref pw, (nuint)i);
                    if (copy) wi.StoreUnsafe(ref pc, (nuint)i);
                }
                break;
            case KernelPath.Avx2:
                for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    var wi = Vector256.LoadUnsafe(ref pw, (nuint)i);
                    var gi = Vector256.LoadUnsafe(ref pg, (nuint)i);
                    if (add) gi += Vector256.LoadUnsafe(ref pa, (nuint)i);                                     // the root's last sum, left + right
                    gi *= scale;
                    if (decay != 0f) gi = Vector256.FusedMultiplyAdd(wi, Vector256.Create(decay), gi);           // g ← λw + g
                    if (momentum)
                    {
                        var vi = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref pv, (nuint)i), Vector256.Create(mu), gi); // v ← μv + g
                        vi.StoreUnsafe(ref pv, (nuint)i);
                        gi = nesterov ? Vector256.FusedMultiplyAdd(vi, Vector256.Create(mu), gi) : vi;          // g ← μv + g, or v
                    }
                    wi = Vector256.FusedMultiplyAdd(gi, Vector256.Create(step), wi);                          // w ← w − lr·g
                    wi.StoreUnsafe(ref pw, (nuint)i);
                    if (copy) wi.StoreUnsafe(ref pc, (nuint)i);
                }
                break;
            default:
                for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
                {
                    var wi = Vector128.LoadUnsafe(ref pw, (nuint)i);
                    var gi = Vector128.LoadUnsafe(ref pg, (nuint)i);
                    if (add) gi += Vector128.LoadUnsafe(ref pa, (nuint)i);                                     // the root's last sum, left + right
                    gi *= scale;
                    if (decay != 0f) gi = Fused.MulAdd(wi, Vector128.Create(decay), gi);           // g ← λw + g
                    if (momentum)
                    {
                        var vi = Fused.MulAdd(Vector128.LoadUnsafe(ref pv, (nuint)i), Vector128.Create(mu), gi); // v ← μv + g
                        vi.StoreUnsafe(ref pv, (nuint)i);
                        gi = nesterov ? Fused.MulAdd(vi, Vector128.Create(mu), gi) : vi;          // g ← μv + g, or v
                    }
                    wi = Fused.MulAdd(gi, Vector128.Create(step), wi);                          // w ← w − lr·g
                    wi.StoreUnsafe(ref pw, (nuint)i);
                    if (copy) wi.StoreUnsafe(ref pc, (nuint)i);
                }
                break;
        }
        for (; i < n; i++)
        {
            float gi = (add ? g[i] + addend[i] : g[i]) * scale;
            if (decay != 0f) gi = Fused.MulAdd(w[i], decay, gi);
            if (momentum)
            {
                float vi = v[i] = Fused.MulAdd(v[i], mu, gi);
                gi = nesterov ? Fused.MulAdd(vi, mu, gi) : vi;
            }
            w[i] = Fused.MulAdd(gi, step, w[i]);
            if (copy) copyTo[i] = w[i];
        }
    }
}
