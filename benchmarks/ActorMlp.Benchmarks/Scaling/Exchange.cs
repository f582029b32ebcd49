namespace ActorMlp.Benchmarks.Scaling;

/// <summary>How a step's tensors move between the nodes.</summary>
public enum Exchange
{
    /// <summary>Today: weights from the coordinator to each worker with leaves, subtree values back, fp32.</summary>
    StarFp32,
    /// <summary>The star with <c>--wire-precision bf16</c>: weights and subtree gradients in bfloat16.</summary>
    StarBf16,
    /// <summary>Reduce-scatter of the subtrees to the slice owners, all-gather of the reduced slices, fp32; no coordinator tensors.</summary>
    PeerFp32,
    /// <summary>The peer reduction with the gradient tree in bfloat16: both phases carry two bytes a value.</summary>
    PeerBf16,
    /// <summary>Ring all-reduce of the gradient, as PyTorch DDP runs it: 2(K−1) rounds of P/K floats.</summary>
    RingFp32,
}
