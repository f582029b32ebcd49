using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ActorMlp.Data;

/// <summary>
/// Images kept as the bytes they came in (Fashion-MNIST: 47 MB instead of 188 MB of floats)
/// and turned into floats only for the rows of a batch.
/// </summary>
public sealed class ImageDataset : Dataset
{
    readonly byte[] _pixels;
    readonly byte[] _labels;
    readonly string _source;
    readonly int _features;
    readonly int _classes;

    public ImageDataset(byte[] pixels, byte[] labels, int features, string source, FeatureTransform transform)
        : base(TaskKind.Classification, transform, null)
    {
        if (pixels.Length != (long)labels.Length * features) throw new ArgumentException("pixels and labels disagree on the sample count");
        _pixels = pixels;
        _labels = labels;
        _features = features;
        _source = source;
        _classes = labels.Length == 0 ? 0 : labels.Max() + 1;
    }

    public override int Count => _labels.Length;
    public override int Features => _features;
    public override int TargetWidth => 1;
    public override int ClassCount => _classes;

    public override Dataset WithTransforms(FeatureTransform transform, FeatureTransform? targetTransform)
        => new ImageDataset(_pixels, _labels, _features, _source, transform);

    public override string Describe(int index) => $"{_source} item {index}";

    public override int Label(int index) => _labels[index];

    public override void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<float> targets)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            int s = indices[i];
            var row = x.Slice(i * _features, _features);
            var raw = _pixels.AsSpan(s * _features, _features);
            for (int c = 0; c < raw.Length; c++) row[c] = raw[c];
            Transform.Apply(row, row);
            targets[i] = _labels[s];
        }
    }

    public override void HashInto(IncrementalHash hash)
    {
        hash.AppendData(_pixels);
        hash.AppendData(_labels);
    }
}
