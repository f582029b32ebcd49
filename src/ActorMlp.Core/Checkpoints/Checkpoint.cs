using ActorMlp.Core.Model;

namespace ActorMlp.Core.Checkpoints;

/// <summary>
/// Everything needed to resume a run or use its model: the model spec, the position in the run,
/// the weights, the optimizer state, and how raw inputs are turned into model inputs
/// (x' = (x − shift)·scale per feature; regression targets likewise, undone on output).
/// The position (seed, step) is the RNG position too: epoch orders are derived from (seed, epoch).
/// </summary>
public sealed record Checkpoint
{
    public required ModelSpec Spec { get; init; }
    public required float[] Parameters { get; init; }

    public required ulong Seed { get; init; }
    public required int Epochs { get; init; }
    public required int Batch { get; init; }
    public required int MicroShards { get; init; }
    public required long Step { get; init; }
    public double EpochLoss { get; init; }
    public double EpochCorrect { get; init; }

    public required string OptimizerKind { get; init; }
    public long OptimizerSteps { get; init; }
    public float[][] OptimizerState { get; init; } = [];

    public required string Dataset { get; init; }
    /// <summary>The training and test data's fingerprint (name, counts, SHA-256), so a resume on other data of the same shape is refused; empty in checkpoints written before it was recorded.</summary>
    public string DataFingerprint { get; init; } = "";
    public required string Task { get; init; }
    public float[] FeatureShift { get; init; } = [];
    public float[] FeatureScale { get; init; } = [];
    public float[] TargetShift { get; init; } = [];
    public float[] TargetScale { get; init; } = [];
}
