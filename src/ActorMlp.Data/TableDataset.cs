using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace ActorMlp.Data;

/// <summary>Rows of real-valued features (from a CSV) with a class index or regression targets each.</summary>
public sealed class TableDataset : Dataset
{
    readonly float[] _features;
    readonly float[] _targets;
    readonly int[] _lines;
    readonly string _source;
    readonly int _width;
    readonly int _targetWidth;
    readonly int _classes;

    /// <param name="features">(rows, width) raw values.</param>
    /// <param name="targets">(rows, targetWidth): class indices or raw regression targets.</param>
    /// <param name="lines">Line number of each row in <paramref name="source"/>, for messages.</param>
    internal TableDataset(float[] features, int width, float[] targets, int targetWidth, int[] lines, string source, TaskKind task,
        FeatureTransform transform, FeatureTransform? targetTransform)
        : base(task, transform, targetTransform)
    {
        _features = features;
        _width = width;
        _targets = targets;
        _targetWidth = targetWidth;
        _lines = lines;
        _source = source;
        _classes = task == TaskKind.Classification && targets.Length > 0 ? (int)targets.Max() + 1 : 0;
    }

    public override int Count => _lines.Length;
    public override int Features => _width;
    public override int TargetWidth => _targetWidth;
    public override int ClassCount => _classes;

    public ReadOnlySpan<float> RawFeatures => _features;
    public ReadOnlySpan<float> RawTargets => _targets;

    // For the data pack, which carries the part as it came.
    internal int[] Lines => _lines;
    internal string Source => _source;

    public override Dataset WithTransforms(FeatureTransform transform, FeatureTransform? targetTransform)
        => new TableDataset(_features, _width, _targets, _targetWidth, _lines, _source, Task, transform, targetTransform);

    public override string Describe(int index) => $"{_source} line {_lines[index]}";

    public override int Label(int index) => (int)_targets[index];

    public override void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<float> targets)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            int s = indices[i];
            Transform.Apply(_features.AsSpan(s * _width, _width), x.Slice(i * _width, _width));
            var t = targets.Slice(i * _targetWidth, _targetWidth);
            var raw = _targets.AsSpan(s * _targetWidth, _targetWidth);
            if (TargetTransform is null) raw.CopyTo(t);
            else TargetTransform.Apply(raw, t);
        }
    }

    internal override void HashInto(IncrementalHash hash)
    {
        hash.AppendData(MemoryMarshal.AsBytes(_features.AsSpan()));
        hash.AppendData(MemoryMarshal.AsBytes(_targets.AsSpan()));
    }
}
