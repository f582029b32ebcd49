namespace ActorMlp.Core.Optim;

/// <summary>
/// Hyper-parameters of every optimizer. WeightDecay is an L2 term added to the gradient for SGD,
/// momentum, Nesterov and Adam, and decoupled (w ← w − lr·λ·w) for AdamW, as PyTorch does.
/// With kind Sgd a non-zero Momentum is heavy-ball momentum, as torch.optim.SGD.
/// </summary>
public sealed record OptimizerSettings(
    OptimizerKind Kind,
    float Momentum = 0.9f,
    float Beta1 = 0.9f,
    float Beta2 = 0.999f,
    float Epsilon = 1e-8f,
    float WeightDecay = 0f);
