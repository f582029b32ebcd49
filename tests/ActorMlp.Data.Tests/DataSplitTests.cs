using System.Globalization;
using System.Text;

namespace ActorMlp.Data.Tests;

/// <summary>The held-out split and the transforms fitted on the training part.</summary>
public sealed class DataSplitTests : IDisposable
{
    readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>n rows of three features on different scales and a class label; row i is on line i + 2.</summary>
    string Csv(int n, string name = "rows.csv")
    {
        var text = new StringBuilder("a,b,c,label\n");
        for (int i = 0; i < n; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i},{1000 + (i * 37 % 101) * 3.25},{(i * 13 % 7) * 0.01},{i % 4}\n");
        return _temp.Write(name, text.ToString());
    }

    static int[] Lines(Dataset part) => Enumerable.Range(0, part.Count).Select(i => DatasetLoaderTests.LineNumber(part, i)).ToArray();

    static DataSplit Load(string path, ulong splitSeed = 42, double fraction = 0.2)
        => new DatasetLoader { SplitSeed = splitSeed, TestFraction = fraction }.Load(DatasetSpec.Parse($"csv:{path}"));

    static float[] All(Dataset part, out float[] targets)
    {
        var x = new float[part.Count * part.Features];
        targets = new float[part.Count * part.TargetWidth];
        part.Fill(Enumerable.Range(0, part.Count).ToArray(), x, targets);
        return x;
    }

    static (double Mean, double Std) Column(float[] rows, int width, int column)
    {
        int n = rows.Length / width;
        double mean = 0, squares = 0;
        for (int r = 0; r < n; r++) mean += rows[r * width + column];
        mean /= n;
        for (int r = 0; r < n; r++) squares += Math.Pow(rows[r * width + column] - mean, 2);
        return (mean, Math.Sqrt(squares / n));
    }

    [Fact]
    public void The_same_split_seed_gives_the_same_parts()
    {
        string path = Csv(100);

        var first = Load(path, splitSeed: 7);
        var second = Load(path, splitSeed: 7);

        Assert.Equal(Lines(first.Train), Lines(second.Train));
        Assert.Equal(Lines(first.Test), Lines(second.Test));
        Assert.Equal(first.Fingerprint(), second.Fingerprint());
    }

    [Fact]
    public void Another_split_seed_gives_another_test_part()
    {
        string path = Csv(100);

        var first = Load(path, splitSeed: 7);
        var second = Load(path, splitSeed: 8);

        Assert.NotEqual(Lines(first.Test), Lines(second.Test));
        Assert.NotEqual(first.Fingerprint(), second.Fingerprint());
    }

    [Theory]
    [InlineData(100, 0.2, 20)]
    [InlineData(100, 0.25, 25)]
    [InlineData(37, 0.2, 8)]
    [InlineData(10, 0.5, 5)]
    public void The_parts_are_disjoint_cover_every_row_and_hold_out_the_fraction(int n, double fraction, int testCount)
    {
        string path = Csv(n);

        var data = Load(path, fraction: fraction);

        int[] train = Lines(data.Train), test = Lines(data.Test);
        Assert.Equal(testCount, test.Length);
        Assert.Equal(n - testCount, train.Length);
        Assert.Empty(train.Intersect(test));
        Assert.Equal(Enumerable.Range(2, n), train.Concat(test).Order());
    }

    [Fact]
    public void Both_parts_keep_file_order()
    {
        var data = Load(Csv(50));

        Assert.Equal(Lines(data.Train).Order(), Lines(data.Train));
        Assert.Equal(Lines(data.Test).Order(), Lines(data.Test));
    }

    [Fact]
    public void A_split_option_in_the_spec_beats_the_loader_fraction()
    {
        string path = Csv(40);

        var data = new DatasetLoader { TestFraction = 0.2 }.Load(DatasetSpec.Parse($"csv:{path},split=0.5"));

        Assert.Equal(20, data.Test.Count);
    }

    [Fact]
    public void Features_are_standardized_with_statistics_of_the_training_part_only()
    {
        var data = Load(Csv(200));

        var train = All(data.Train, out _);
        var test = All(data.Test, out _);

        bool testDiffers = false;
        for (int c = 0; c < data.Features; c++)
        {
            var (mean, std) = Column(train, data.Features, c);
            Assert.Equal(0, mean, 4);
            Assert.Equal(1, std, 3);
            var (testMean, testStd) = Column(test, data.Features, c);
            testDiffers |= Math.Abs(testMean) > 1e-3 || Math.Abs(testStd - 1) > 1e-3;
        }
        Assert.True(testDiffers, "the test part looks standardized on its own statistics");
    }

    [Fact]
    public void Classification_targets_stay_class_indices()
    {
        var data = Load(Csv(40));

        All(data.Test, out var targets);

        Assert.Equal(Enumerable.Range(0, data.Test.Count).Select(i => (float)data.Test.Label(i)), targets);
        Assert.Null(data.TargetTransform);
    }

    [Fact]
    public void Regression_targets_are_standardized_on_the_training_part()
    {
        var data = Load(Repository.Data("diabetes.csv"));

        All(data.Train, out var train);
        All(data.Test, out var test);

        var (mean, std) = Column(train, 1, 0);
        Assert.Equal(0, mean, 4);
        Assert.Equal(1, std, 3);
        Assert.NotEqual(0, Column(test, 1, 0).Mean, 3);
    }

    [Fact]
    public void Invert_undoes_Apply()
    {
        var data = Load(Repository.Data("diabetes.csv"));
        var t = data.TargetTransform!;
        float[] raw = [25f, 151f, 346f];
        var applied = new float[1];
        var back = new float[1];

        foreach (float v in raw)
        {
            t.Apply([v], applied);
            t.Invert(applied, back);
            Assert.NotEqual(v, applied[0]);
            Assert.Equal(v, back[0], 3);
        }
    }

    [Fact]
    public void Standardize_uses_column_mean_and_population_std()
    {
        float[] rows = [1, 10, 3, 10, 5, 10, 7, 10];

        var t = FeatureTransform.Standardize(rows, 2);

        Assert.Equal([4f, 10f], t.Shift);
        Assert.Equal(1 / Math.Sqrt(5), t.Scale[0], 6);
        Assert.Equal(1f, t.Scale[1]);
        var output = new float[2];
        t.Apply([7f, 10f], output);
        Assert.Equal(3 / Math.Sqrt(5), output[0], 5);
        Assert.Equal(0f, output[1]);
    }

    [Fact]
    public void Invert_undoes_Apply_for_every_column()
    {
        var t = new FeatureTransform([1.5f, -20f, 0f], [0.25f, 3f, 1f]);
        float[] raw = [4f, -7.5f, 0.125f];
        var applied = new float[3];
        var back = new float[3];

        t.Apply(raw, applied);
        t.Invert(applied, back);

        Assert.Equal([0.625f, 37.5f, 0.125f], applied);
        for (int c = 0; c < 3; c++) Assert.Equal(raw[c], back[c], 5);
    }
}
