namespace ActorMlp.Core.Training;

/// <summary>
/// Samples as the model sees them. A data set keeps its own compact form (bytes for images)
/// and converts only the rows asked for, so no node holds the whole set as floats.
/// </summary>
public interface ISampleSource
{
    int Count { get; }
    int Features { get; }
    int TargetWidth { get; }

    // indices is (n), x is (n, Features), targets is (n, TargetWidth)
    void Fill(ReadOnlySpan<int> indices, Span<float> x, Span<float> targets);
}
