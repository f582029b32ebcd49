namespace ActorMlp.Core.Determinism;

/// <summary>
/// How the nodes of a step's reduction tree hold the gradient. <see cref="Float32"/>: a leaf is its
/// float sums and a node the float sum left + right. <see cref="BFloat16"/>: every node is rounded to
/// bfloat16 (to nearest, ties to even) as it is formed — each leaf, and each sum of two children —
/// so any node is exact in bfloat16 and travels in two bytes a value with no further rounding.
/// The rounding belongs to the tree, not to who sends what to whom, so a run has the same bits on any
/// cluster and in one process. The batch's loss sum and correct count are never rounded.
/// </summary>
public enum GradientPrecision { Float32, BFloat16 }
