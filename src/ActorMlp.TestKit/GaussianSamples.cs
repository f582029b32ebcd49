using ActorMlp.Core.Determinism;
using ActorMlp.Core.Training;

namespace ActorMlp.TestKit;

/// <summary>
/// A small deterministic classification set for specs: Count samples of Features standard-normal values
/// (SplitMix64 from Seed), sample i of class i mod Classes. Its <see cref="Fingerprint"/> names all four.
/// </summary>
public sealed class GaussianSamples : ISampleSource
{
    readonly float[] _x;

    public GaussianSamples(int count, int features = 4, int classes = 3, ulong seed = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(features, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        (Count, Features, Classes) = (count, features, classes);
        var rng = new SplitMix64(seed);
        _x = new float[count * features];
        for (int i = 0; i < _x.Length; i++) _x[i] = (float)rng.NextGaussian();
        Fingerprint = $"gaussian/{count}x{features}/{classes}/{seed}";
    }

    public int Count { get; }

    public int Features { get; }

    /// <summary>How many classes the targets take (0 … Classes − 1): the width of a softmax head.</summary>
    public int Classes { get; }

    public int TargetWidth => 1;

    /// <summary>What a coordinator and its workers compare to tell they hold the same data.</summary>
    public string Fingerprint { get; }

    public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<float> targets)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            _x.AsSpan(indices[i] * Features, Features).CopyTo(x.Slice(i * Features, Features));
            targets[i] = indices[i] % Classes;
        }
    }
}
