namespace ActorMlp.Data.Tests;

/// <summary>The training part as a self-checking pack: what a worker without data receives.</summary>
public class DataPackTests
{
    /// <summary>Every sample as the model sees it (inputs and targets through the transforms), in index order.</summary>
    static (float[] X, float[] Targets) Rows(Dataset d)
    {
        var indices = Enumerable.Range(0, d.Count).ToArray();
        var x = new float[d.Count * d.Features];
        var t = new float[d.Count * d.TargetWidth];
        d.Fill(indices, x, t);
        return (x, t);
    }

    static void AssertSameTrainingPart(DataSplit data, DataPack pack)
    {
        Assert.Equal(data.Name, pack.Name);
        Assert.Equal(data.Fingerprint(), pack.Fingerprint);
        Assert.Equal(data.Train.Count, pack.Train.Count);
        Assert.Equal(data.Train.Features, pack.Train.Features);
        Assert.Equal(data.Train.Task, pack.Train.Task);
        Assert.Equal(data.Train.ClassCount, pack.Train.ClassCount);
        Assert.Equal(data.Train.Describe(3), pack.Train.Describe(3));
        var (x, t) = Rows(data.Train);
        var (px, pt) = Rows(pack.Train);
        Assert.Equal(x, px);
        Assert.Equal(t, pt);
    }

    [Fact]
    public void An_image_set_comes_back_from_its_pack_with_every_sample_and_its_fingerprint()
    {
        var data = new DatasetLoader().Load(DatasetSpec.Parse("digits"));
        var pixels = new byte[300 * 16];
        new Random(5).NextBytes(pixels);
        var labels = Enumerable.Range(0, 300).Select(i => (byte)(i % 7)).ToArray();
        var images = new ImageDataset(pixels, labels, 16, "images.idx", FeatureTransform.Uniform(16, 1f / 255f));
        var split = new DataSplit("pictures", TaskKind.Classification, 7, images, images);

        AssertSameTrainingPart(split, DataPack.Read(DataPack.Write(split), "pictures.pack"));
        Assert.IsType<ImageDataset>(DataPack.Read(DataPack.Write(split), "pictures.pack").Train);
        // The embedded digits are a table of floats: both kinds of part travel.
        Assert.IsType<TableDataset>(data.Train);
        AssertSameTrainingPart(data, DataPack.Read(DataPack.Write(data), "digits.pack"));
    }

    [Fact]
    public void A_regression_table_comes_back_with_its_fitted_transforms()
    {
        var data = new DatasetLoader().Load(DatasetSpec.Parse($"csv:{Repository.Data("diabetes.csv")}"));
        Assert.NotNull(data.Train.TargetTransform);
        var pack = DataPack.Read(DataPack.Write(data), "diabetes.pack");

        AssertSameTrainingPart(data, pack);
        Assert.Equal(data.Train.Transform.Shift, pack.Train.Transform.Shift);
        Assert.Equal(data.Train.Transform.Scale, pack.Train.Transform.Scale);
        Assert.Equal(data.Train.TargetTransform!.Scale, pack.Train.TargetTransform!.Scale);
    }

    [Fact]
    public void A_pack_cut_short_is_refused_as_cut_short_naming_the_file()
    {
        var bytes = DataPack.Write(new DatasetLoader().Load(DatasetSpec.Parse("digits")));
        var cut = bytes[..(bytes.Length / 2)];

        var e = Assert.Throws<DataException>(() => DataPack.Read(cut, "cache/digits.pack.part"));
        Assert.Equal($"data pack cache/digits.pack.part is cut short: {cut.Length} of its {bytes.Length} bytes", e.Message);
        Assert.Contains("is cut short", DataPack.Problem(bytes[..5], "x.pack"));
    }

    [Fact]
    public void A_changed_byte_anywhere_is_refused_as_corrupt()
    {
        var bytes = DataPack.Write(new DatasetLoader().Load(DatasetSpec.Parse("digits")));
        Assert.Null(DataPack.Problem(bytes, "digits.pack"));
        foreach (int at in new[] { 40, bytes.Length / 2, bytes.Length - 1 })
        {
            var damaged = (byte[])bytes.Clone();
            damaged[at] ^= 0x10;
            var e = Assert.Throws<DataException>(() => DataPack.Read(damaged, "digits.pack"));
            Assert.Equal("data pack digits.pack is corrupt: its bytes do not match its SHA-256", e.Message);
        }
    }

    [Fact]
    public void Bytes_of_something_else_are_not_a_pack()
    {
        var e = Assert.Throws<DataException>(() => DataPack.Read("not a pack at all, just text"u8.ToArray(), "notes.txt"));
        Assert.Equal("notes.txt is not an ActorMlp data pack", e.Message);
    }

    [Fact]
    public void The_cache_file_is_named_by_the_fingerprint_and_safe_for_any_data_set_name()
    {
        string a = DataCache.PathFor("/c", "digits/1437+360/abc"), b = DataCache.PathFor("/c", "digits/1437+360/abd");
        Assert.NotEqual(a, b);
        Assert.StartsWith("/c/digits-", a);
        string odd = Path.GetFileName(DataCache.PathFor("/c", "../../etc/passwd x/1+1/00"));
        Assert.Matches("^[A-Za-z0-9._-]+\\.pack$", odd);
        Assert.DoesNotContain("/", odd);
    }
}
