namespace ActorMlp.Data.Tests;

/// <summary>Loading an idx:DIR data set: the four files of MNIST's layout, raw or gzip.</summary>
public sealed class IdxFolderTests : IDisposable
{
    readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    static DataSplit Load(string folder) => new DatasetLoader().Load(DatasetSpec.Parse($"idx:{folder}"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_complete_folder_loads_as_train_and_test_parts(bool gzip)
    {
        Idx.WriteSet(_temp.Path, gzip);

        var data = Load(_temp.Path);

        Assert.Equal(TaskKind.Classification, data.Task);
        Assert.Equal(6, data.Train.Count);
        Assert.Equal(4, data.Test.Count);
        Assert.Equal(6, data.Features);
        Assert.Equal(3, data.Classes);
        Assert.Equal([0, 1, 2, 0, 1, 2], Enumerable.Range(0, 6).Select(data.Train.Label));
        Assert.Equal([1, 2, 0, 1], Enumerable.Range(0, 4).Select(data.Test.Label));
    }

    [Fact]
    public void Pixels_reach_the_model_scaled_to_the_unit_interval()
    {
        Idx.WriteSet(_temp.Path, gzip: false);
        var data = Load(_temp.Path);
        var x = new float[2 * 6];
        var y = new float[2];

        data.Test.Fill([3, 0], x, y);

        var expected = Idx.Ramp(4, 2, 3, start: 100);
        for (int c = 0; c < 6; c++)
        {
            Assert.Equal(expected[3 * 6 + c] / 255f, x[c], 6);
            Assert.Equal(expected[c] / 255f, x[6 + c], 6);
        }
        Assert.Equal([1f, 1f], y);
    }

    [Fact]
    public void Label_count_unequal_to_image_count_is_refused_naming_both_files()
    {
        Idx.WriteSet(_temp.Path, gzip: false);
        File.WriteAllBytes(Path.Combine(_temp.Path, Idx.Names[1]), Idx.Labels([0, 1, 2, 0, 1]));

        var e = Assert.Throws<DataException>(() => Load(_temp.Path));

        Assert.Contains(Idx.Names[1], e.Message);
        Assert.Contains(Idx.Names[0], e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_missing_file_is_refused_naming_it(int missing)
    {
        Idx.WriteSet(_temp.Path, gzip: true);
        File.Delete(Path.Combine(_temp.Path, Idx.Names[missing] + ".gz"));

        var e = Assert.Throws<DataException>(() => Load(_temp.Path));

        Assert.Contains(Idx.Names[missing], e.Message);
        Assert.Contains(_temp.Path, e.Message);
    }

    [Fact]
    public void A_missing_folder_is_refused_naming_it()
    {
        string folder = _temp.File("absent");

        var e = Assert.Throws<DataException>(() => Load(folder));

        Assert.Contains(folder, e.Message);
    }

    [Fact]
    public void Test_images_of_another_size_than_the_training_images_are_refused()
    {
        Idx.WriteSet(_temp.Path, gzip: false);
        File.WriteAllBytes(Path.Combine(_temp.Path, Idx.Names[2]), Idx.Images(4, 3, 3, Idx.Ramp(4, 3, 3)));

        var e = Assert.Throws<DataException>(() => Load(_temp.Path));

        Assert.Contains(Idx.Names[2], e.Message);
    }

    [Fact]
    public void A_corrupt_file_inside_the_folder_is_named()
    {
        Idx.WriteSet(_temp.Path, gzip: true);
        string labels = Path.Combine(_temp.Path, Idx.Names[3] + ".gz");
        File.WriteAllBytes(labels, [0x1F, 0x8B, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8]);

        var e = Assert.Throws<DataException>(() => Load(_temp.Path));

        Assert.Contains(labels, e.Message);
    }
}
