using System.Numerics.Tensors;

namespace ActorMlp.Data;

/// <summary>
/// An affine map per column, x' = (x − shift)·scale: pixel scaling to [0, 1] (shift 0, scale 1/255)
/// and standardization (shift = mean, scale = 1/std) are both one of these. It travels in the
/// checkpoint so evaluation and prediction see inputs exactly as training did.
/// </summary>
public sealed record FeatureTransform(float[] Shift, float[] Scale)
{
    public int Width => Shift.Length;

    public static FeatureTransform Identity(int width) => new(new float[width], Enumerable.Repeat(1f, width).ToArray());

    public static FeatureTransform Uniform(int width, float scale) => new(new float[width], Enumerable.Repeat(scale, width).ToArray());

    /// <summary>Shift = column mean, scale = 1/standard deviation (1 for a constant column), fitted on the given rows.</summary>
    public static FeatureTransform Standardize(ReadOnlySpan<float> rows, int width)
    {
        int n = width == 0 ? 0 : rows.Length / width;
        var mean = new double[width];
        var squares = new double[width];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < width; c++) mean[c] += rows[r * width + c];
        for (int c = 0; c < width; c++) mean[c] /= Math.Max(1, n);
        for (int r = 0; r < n; r++)
            for (int c = 0; c < width; c++)
            {
                double d = rows[r * width + c] - mean[c];
                squares[c] += d * d;
            }
        var shift = new float[width];
        var scale = new float[width];
        for (int c = 0; c < width; c++)
        {
            double std = Math.Sqrt(squares[c] / Math.Max(1, n));
            shift[c] = (float)mean[c];
            scale[c] = std > 1e-12 ? (float)(1.0 / std) : 1f;
        }
        return new FeatureTransform(shift, scale);
    }

    // raw is (Width), destination is (Width)
    public void Apply(ReadOnlySpan<float> raw, Span<float> destination)
    {
        TensorPrimitives.Subtract(raw, Shift, destination);
        TensorPrimitives.Multiply(destination, Scale, destination);
    }

    /// <summary>Per column, the factor from transformed units back to the data's (1/scale): for RMSE in the data's units.</summary>
    public float[] Unscale() => Scale.Select(x => 1f / x).ToArray();

    // transformed is (Width), destination is (Width): the inverse, for regression outputs
    public void Invert(ReadOnlySpan<float> transformed, Span<float> destination)
    {
        TensorPrimitives.Divide(transformed, Scale, destination);
        TensorPrimitives.Add(destination, Shift, destination);
    }
}
