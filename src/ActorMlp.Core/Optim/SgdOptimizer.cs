using System.Numerics.Tensors;

namespace ActorMlp.Core.Optim;

/// <summary>
/// SGD with optional L2 weight decay and momentum in PyTorch's form:
/// g ← g + λw; v ← μv + g; w ← w − lr·v (heavy ball) or w ← w − lr·(g + μv) (Nesterov).
/// Plain SGD (kind Sgd, momentum 0) keeps no state.
/// </summary>
public sealed class SgdOptimizer : Optimizer
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

    protected override void Apply(Span<float> w, Span<float> g, float lr)
    {
        if (_decay != 0f) TensorPrimitives.MultiplyAdd(w, _decay, g, g);          // g ← g + λw
        if (_velocity is null)
        {
            TensorPrimitives.MultiplyAdd(g, -lr, w, w);                          // w ← w − lr·g
            return;
        }
        var v = _velocity.AsSpan();
        TensorPrimitives.MultiplyAdd(v, _momentum, g, v);                        // v ← μv + g
        if (_nesterov) TensorPrimitives.MultiplyAdd(v, _momentum, g, g);         // g ← g + μv
        else v.CopyTo(g);
        TensorPrimitives.MultiplyAdd(g, -lr, w, w);
    }
}
