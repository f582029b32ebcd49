using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
            Widen(_pixels.AsSpan(s * _features, _features), row);
            Transform.Apply(row, row);
            targets[i] = _labels[s];
        }
    }

    // bytes is (n), floats is (n): each byte's value as a float, 32 at a time.
    internal static void Widen(ReadOnlySpan<byte> bytes, Span<float> floats)
    {
        if (floats.Length < bytes.Length) throw new ArgumentException("the destination is shorter than the source", nameof(floats));
        int i = 0;
        ref byte src = ref MemoryMarshal.GetReference(bytes);
        ref float dst = ref MemoryMarshal.GetReference(floats);
        for (; i <= bytes.Length - Vector256<byte>.Count; i += Vector256<byte>.Count)
        {
            var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref src, (nuint)i));
            var (a, b) = Vector256.Widen(lo);
            var (c, d) = Vector256.Widen(hi);
            Vector256.ConvertToSingle(a).StoreUnsafe(ref dst, (nuint)i);
            Vector256.ConvertToSingle(b).StoreUnsafe(ref dst, (nuint)i + 8);
            Vector256.ConvertToSingle(c).StoreUnsafe(ref dst, (nuint)i + 16);
            Vector256.ConvertToSingle(d).StoreUnsafe(ref dst, (nuint)i + 24);
        }
        for (; i < bytes.Length; i++) floats[i] = bytes[i];
    }

    public override void HashInto(IncrementalHash hash)
    {
        hash.AppendData(_pixels);
        hash.AppendData(_labels);
    }
}
