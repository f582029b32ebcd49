using ActorMlp.Core.Tensors;

namespace ActorMlp.Data.Tests;

public sealed class ImageDatasetTests
{
    const int Features = 4;

    static ImageDataset Images(byte[] pixels, byte[] labels)
        => new(pixels, labels, Features, "images", FeatureTransform.Uniform(Features, 1f / 255f));

    static readonly byte[] Pixels = [0, 255, 128, 1, 10, 20, 30, 40, 254, 253, 252, 251, 7, 0, 255, 99];
    static readonly byte[] Labels = [3, 0, 2, 1];

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 })]
    [InlineData(new[] { 3, 1 })]
    [InlineData(new[] { 2, 2, 0 })]
    [InlineData(new[] { 1 })]
    public void Fill_scales_the_bytes_of_the_requested_rows_to_the_unit_interval(int[] indices)
    {
        var data = Images(Pixels, Labels);
        var x = new float[indices.Length * Features];
        var y = new float[indices.Length];

        data.Fill(indices, x, y);

        for (int i = 0; i < indices.Length; i++)
        {
            for (int c = 0; c < Features; c++)
            {
                float v = x[i * Features + c];
                Assert.InRange(v, 0f, 1f);
                Assert.Equal(Pixels[indices[i] * Features + c] / 255f, v, 6);
            }
            Assert.Equal(Labels[indices[i]], y[i]);
        }
    }

    [Fact]
    public void Fill_writes_only_the_rows_asked_for()
    {
        var data = Images(Pixels, Labels);
        var x = Enumerable.Repeat(-1f, 3 * Features).ToArray();
        var y = Enumerable.Repeat(-1f, 3).ToArray();

        data.Fill([2], x, y);

        Assert.All(x[Features..], v => Assert.Equal(-1f, v));
        Assert.All(y[1..], v => Assert.Equal(-1f, v));
        Assert.Equal(1f / 255f * 254, x[0], 6);
    }

    [Fact]
    public void A_row_widened_on_every_kernel_path_has_the_bits_of_the_plain_transform()
    {
        // 784 = 24·32 + 16: the 256-bit body, the 128-bit body and a tail of zero, or all 128-bit.
        foreach (int n in new[] { 0, 1, 15, 16, 17, 33, 47, 784 })
        {
            var rng = new Random(n);
            var bytes = new byte[n];
            rng.NextBytes(bytes);
            var shift = Enumerable.Range(0, n).Select(i => (float)rng.Next(0, 50)).ToArray();
            var scale = Enumerable.Range(0, n).Select(i => 1f / rng.Next(1, 300)).ToArray();
            var expected = Enumerable.Range(0, n).Select(i => BitConverter.SingleToInt32Bits((bytes[i] - shift[i]) * scale[i])).ToArray();
            foreach (var path in ComputeKernel.Supported)
                using (ComputeKernel.PinThread(path))
                {
                    var row = new float[n];
                    ImageDataset.WidenScaled(bytes, shift, scale, row);
                    Assert.True(expected.SequenceEqual(row.Select(BitConverter.SingleToInt32Bits)), $"{path}, n = {n}");
                }
        }
    }

    [Fact]
    public void The_class_count_is_the_largest_label_plus_one()
    {
        Assert.Equal(4, Images(Pixels, Labels).ClassCount);
        Assert.Equal(8, Images(Pixels[..8], [7, 0]).ClassCount);
    }

    [Fact]
    public void Pixels_and_labels_that_disagree_on_the_count_are_refused()
        => Assert.Throws<ArgumentException>(() => Images(Pixels, [1, 2, 3]));

    static DataSplit Split(byte[] trainPixels, byte[] testPixels, byte[] trainLabels, byte[] testLabels)
        => new("images", TaskKind.Classification, 4, Images(trainPixels, trainLabels), Images(testPixels, testLabels));

    [Fact]
    public void Equal_data_has_equal_fingerprints()
    {
        var a = Split(Pixels[..8], Pixels[8..], Labels[..2], Labels[2..]);
        var b = Split([.. Pixels[..8]], [.. Pixels[8..]], [.. Labels[..2]], [.. Labels[2..]]);

        Assert.Equal(a.Fingerprint(), b.Fingerprint());
        Assert.StartsWith("images/2+2/", a.Fingerprint());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    public void One_different_pixel_changes_the_fingerprint(int position)
    {
        var changed = (byte[])Pixels.Clone();
        changed[position] ^= 1;
        var a = Split(Pixels[..8], Pixels[8..], Labels[..2], Labels[2..]);
        var b = Split(changed[..8], changed[8..], Labels[..2], Labels[2..]);

        Assert.NotEqual(a.Fingerprint(), b.Fingerprint());
    }

    [Fact]
    public void One_different_label_changes_the_fingerprint()
    {
        var a = Split(Pixels[..8], Pixels[8..], Labels[..2], Labels[2..]);
        var b = Split(Pixels[..8], Pixels[8..], Labels[..2], [2, 0]);

        Assert.NotEqual(a.Fingerprint(), b.Fingerprint());
    }

    [Fact]
    public void CheckLabels_names_the_sample_whose_label_is_out_of_range()
    {
        var split = Split(Pixels[..8], Pixels[8..], [1, 0], [2, 3]);

        split.CheckLabels(4);
        var e = Assert.Throws<DataException>(() => split.CheckLabels(3));

        Assert.Contains("images item 1", e.Message);
        Assert.Contains("label 3", e.Message);
        Assert.Contains("3 classes", e.Message);
    }

    [Fact]
    public void CheckLabels_names_the_csv_line_of_the_bad_label()
    {
        using var temp = new TempFolder();
        string path = temp.Write("l.csv", "a,y\n1,0\n2,1\n3,5\n4,1\n");
        var data = new DatasetLoader().Load(DatasetSpec.Parse($"csv:{path},test={path}"));

        var e = Assert.Throws<DataException>(() => data.CheckLabels(2));

        Assert.Contains($"{path} line 4", e.Message);
        Assert.Contains("label 5", e.Message);
    }

    [Fact]
    public void CheckLabels_accepts_anything_for_regression()
    {
        using var temp = new TempFolder();
        string path = temp.Write("r.csv", "a,y\n1,0.5\n2,100.25\n3,7.5\n4,1.5\n");
        var data = new DatasetLoader().Load(DatasetSpec.Parse($"csv:{path}"));

        data.CheckLabels(1);
        Assert.Equal(TaskKind.Regression, data.Task);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(70)]    // two 32-byte blocks and a tail of 6
    [InlineData(784)]
    public void Fill_applies_the_transform_with_the_bits_of_widening_then_Apply(int features)
    {
        var pixels = Enumerable.Range(0, 2 * features).Select(i => (byte)(i * 13 + 5)).ToArray();
        var random = new Random(features);
        var transform = new FeatureTransform(
            Enumerable.Range(0, features).Select(_ => (float)random.NextDouble() * 100).ToArray(),
            Enumerable.Range(0, features).Select(_ => (float)random.NextDouble() / 7).ToArray());
        var data = new ImageDataset(pixels, [0, 1], features, "images", transform);
        var x = new float[2 * features];

        data.Fill([1, 0], x, new float[2]);

        var expected = new float[features];
        foreach (var (row, sample) in new[] { (0, 1), (1, 0) })
        {
            for (int c = 0; c < features; c++) expected[c] = pixels[sample * features + c];
            transform.Apply(expected, expected);
            Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), x.Skip(row * features).Take(features).Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(70)]    // two 32-byte blocks and a tail of 6
    [InlineData(784)]
    public void Fill_turns_every_byte_value_into_the_same_float_at_any_row_width(int features)
    {
        var pixels = Enumerable.Range(0, 3 * features).Select(i => (byte)(i * 7 + 3)).ToArray();
        var data = new ImageDataset(pixels, [0, 1, 2], features, "images", FeatureTransform.Uniform(features, 1f));
        var x = new float[2 * features];

        data.Fill([2, 0], x, new float[2]);

        for (int c = 0; c < features; c++)
        {
            Assert.Equal(pixels[2 * features + c], x[c]);
            Assert.Equal(pixels[c], x[features + c]);
        }
    }
}
