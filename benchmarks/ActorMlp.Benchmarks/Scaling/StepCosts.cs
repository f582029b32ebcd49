namespace ActorMlp.Benchmarks.Scaling;

/// <summary>
/// What a step costs beside the network, measured on one core. A worker's compute is affine in its rows:
/// per row (forward and backward) plus, once per step whatever the rows, a part that grows with the
/// parameters (packing the weights for the products, writing the gradient) — at a few rows per worker
/// that part dominates. Then the optimizer's pass per parameter, and a fixed overhead per step (control
/// messages, hand-offs between threads and actors).
/// </summary>
public sealed record StepCosts(double ComputeSecondsPerRow, double ComputeSecondsPerParameter, double OptimizerSecondsPerParameter,
    double OverheadSeconds)
{
    public double Compute(int rows, long parameters) => rows == 0 ? 0 : rows * ComputeSecondsPerRow + parameters * ComputeSecondsPerParameter;
}
