using ActorMlp.Core.Training;

namespace ActorMlp.Data;

/// <summary>
/// One part (train or test) of a data set in its raw form, converted to model inputs row by row
/// through the feature transform. Classification targets are the class index as a float;
/// regression targets pass through the target transform.
/// </summary>
public abstract class Dataset : ISampleSource
{
    public abstract int Count { get; }
    public abstract int Features { get; }
    public TaskKind Task { get; }
    public FeatureTransform Transform { get; }
    public FeatureTransform? TargetTransform { get; }

    private protected Dataset(TaskKind task, FeatureTransform transform, FeatureTransform? targetTransform)
    {
        Task = task;
        Transform = transform;
        TargetTransform = targetTransform;
    }

    /// <summary>Floats of target per sample: 1 for a class index, the target count for regression.</summary>
    public abstract int TargetWidth { get; }

    /// <summary>Largest class index + 1 (classification), 0 for regression.</summary>
    public abstract int ClassCount { get; }

    public abstract Dataset WithTransforms(FeatureTransform transform, FeatureTransform? targetTransform);

    /// <summary>Where sample i came from, for error messages ("digits.csv line 12").</summary>
    public abstract string Describe(int index);

    /// <summary>The class index of sample i (classification only).</summary>
    public abstract int Label(int index);

    public abstract void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<float> targets);

    /// <summary>Raw bytes of the part, in a fixed order, for the data set's fingerprint.</summary>
    internal abstract void HashInto(System.Security.Cryptography.IncrementalHash hash);
}
