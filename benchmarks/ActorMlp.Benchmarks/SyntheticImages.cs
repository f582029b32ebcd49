using ActorMlp.Core.Determinism;
using ActorMlp.Core.Training;

namespace ActorMlp.Benchmarks;

/// <summary>
/// Random images shaped like Fashion-MNIST (bytes of 784 pixels, ten classes), so step benchmarks
/// need no data set on disk. Kept as bytes and scaled per requested row, as the real image set is,
/// so Fill costs what it costs in a real run and the working set has the same size.
/// </summary>
public sealed class SyntheticImages : ISampleSource
{
    readonly byte[] _pixels;
    readonly byte[] _labels;

    public SyntheticImages(int count = 60_000, int features = 784, int classes = 10, ulong seed = 1)
    {
        Count = count;
        Features = features;
        _pixels = new byte[(long)count * features];
        _labels = new byte[count];
        var rng = new SplitMix64(seed);
        for (int i = 0; i < _pixels.Length; i++) _pixels[i] = (byte)rng.NextInt(256);
        for (int i = 0; i < count; i++) _labels[i] = (byte)rng.NextInt(classes);
    }

    public int Count { get; }
    public int Features { get; }
    public int TargetWidth => 1;

    public void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<float> targets)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            int s = indices[i];
            var row = x.Slice(i * Features, Features);
            var raw = _pixels.AsSpan(s * Features, Features);
            for (int c = 0; c < raw.Length; c++) row[c] = raw[c] * (1f / 255f);
            targets[i] = _labels[s];
        }
    }
}
