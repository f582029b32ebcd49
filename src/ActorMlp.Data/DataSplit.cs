using System.Security.Cryptography;

namespace ActorMlp.Data;

/// <summary>
/// A data set ready for training: its train and test parts, the task, the class count and the
/// transforms fitted on the training part only.
/// </summary>
public sealed record DataSplit(string Name, TaskKind Task, int Classes, Dataset Train, Dataset Test)
{
    public int Features => Train.Features;

    /// <summary>Outputs the model needs: the class count, or the regression target count.</summary>
    public int TargetWidth => Train.TargetWidth;

    public FeatureTransform Transform => Train.Transform;
    public FeatureTransform? TargetTransform => Train.TargetTransform;

    /// <summary>Both parts with other transforms: those of a checkpoint, for evaluation.</summary>
    public DataSplit WithTransforms(FeatureTransform transform, FeatureTransform? targetTransform)
        => this with { Train = Train.WithTransforms(transform, targetTransform), Test = Test.WithTransforms(transform, targetTransform) };

    /// <summary>Name, sample count and SHA-256 of the raw bytes of both parts: two nodes with equal fingerprints hold the same data.</summary>
    public string Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Train.HashInto(hash);
        Test.HashInto(hash);
        return $"{Name}/{Train.Count}+{Test.Count}/{Convert.ToHexStringLower(hash.GetHashAndReset())}";
    }

    /// <summary>Throws when a classification label is not below <paramref name="classes"/>, naming the sample.</summary>
    public void CheckLabels(int classes)
    {
        if (Task != TaskKind.Classification) return;
        foreach (var part in new[] { Train, Test })
            for (int i = 0; i < part.Count; i++)
                if (part.Label(i) >= classes)
                    throw new DataException($"{part.Describe(i)}: label {part.Label(i)} is out of range for a model with {classes} classes");
    }
}
