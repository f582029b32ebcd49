namespace ActorMlp.Benchmarks.Scaling;

/// <summary>
/// What a step costs beside the network, measured on one core: forward and backward per training row,
/// the optimizer's pass per parameter, and a fixed overhead per step (control messages, hand-offs
/// between threads and actors).
/// </summary>
public sealed record StepCosts(double ComputeSecondsPerRow, double OptimizerSecondsPerParameter, double OverheadSeconds);
