using ActorMlp.Core.Tensors;
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

    internal ImageDataset(byte[] pixels, byte[] labels, int features, string source, FeatureTransform transform)
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

    // For the data pack, which carries the part as it came.
    internal byte[] Pixels => _pixels;
    internal byte[] Labels => _labels;
    internal string Source => _source;
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
            WidenScaled(_pixels.AsSpan(s * _features, _features), Transform.Shift, Transform.Scale, x.Slice(i * _features, _features));
            targets[i] = _labels[s];
        }
    }

    // bytes, shift, scale and floats are (n): floats[i] = (bytes[i] − shift[i])·scale[i], 32 at a time,
    // in one pass over the row. A subtraction then a multiplication, never an FMA: the bits of
    // FeatureTransform.Apply on the widened row.
    internal static void WidenScaled(ReadOnlySpan<byte> bytes, ReadOnlySpan<float> shift, ReadOnlySpan<float> scale, Span<float> floats)
    {
        int n = bytes.Length;
        if (floats.Length < n || shift.Length < n || scale.Length < n) throw new ArgumentException("the transform or the destination is shorter than the row");
        int i = 0;
        ref byte src = ref MemoryMarshal.GetReference(bytes);
        ref float sh = ref MemoryMarshal.GetReference(shift);
        ref float sc = ref MemoryMarshal.GetReference(scale);
        ref float dst = ref MemoryMarshal.GetReference(floats);
        // Where Vector256 is not the path (ARM64, --kernel vector128) 16 bytes at a time in 128-bit registers.
        bool wide = ComputeKernel.Current != KernelPath.Vector128;
        if (wide)
        for (; i <= n - Vector256<byte>.Count; i += Vector256<byte>.Count)
        {
            var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref src, (nuint)i));
            var (a, b) = Vector256.Widen(lo);
            var (c, d) = Vector256.Widen(hi);
            Affine(Vector256.ConvertToSingle(a), ref sh, ref sc, ref dst, (nuint)i);
            Affine(Vector256.ConvertToSingle(b), ref sh, ref sc, ref dst, (nuint)i + 8);
            Affine(Vector256.ConvertToSingle(c), ref sh, ref sc, ref dst, (nuint)i + 16);
            Affine(Vector256.ConvertToSingle(d), ref sh, ref sc, ref dst, (nuint)i + 24);
        }
        for (; i <= n - Vector128<byte>.Count; i += Vector128<byte>.Count)
        {
            var (lo, hi) = Vector128.Widen(Vector128.LoadUnsafe(ref src, (nuint)i));
            var (a, b) = Vector128.Widen(lo);
            var (c, d) = Vector128.Widen(hi);
            Affine(Vector128.ConvertToSingle(a), ref sh, ref sc, ref dst, (nuint)i);
            Affine(Vector128.ConvertToSingle(b), ref sh, ref sc, ref dst, (nuint)i + 4);
            Affine(Vector128.ConvertToSingle(c), ref sh, ref sc, ref dst, (nuint)i + 8);
            Affine(Vector128.ConvertToSingle(d), ref sh, ref sc, ref dst, (nuint)i + 12);
        }
        for (; i < n; i++) floats[i] = (bytes[i] - shift[i]) * scale[i];
    }

    static void Affine(Vector256<float> v, ref float shift, ref float scale, ref float destination, nuint at)
        => ((v - Vector256.LoadUnsafe(ref shift, at)) * Vector256.LoadUnsafe(ref scale, at)).StoreUnsafe(ref destination, at);

    static void Affine(Vector128<float> v, ref float shift, ref float scale, ref float destination, nuint at)
        => ((v - Vector128.LoadUnsafe(ref shift, at)) * Vector128.LoadUnsafe(ref scale, at)).StoreUnsafe(ref destination, at);

    internal override void HashInto(IncrementalHash hash)
    {
        hash.AppendData(_pixels);
        hash.AppendData(_labels);
    }
}
