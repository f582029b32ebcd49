namespace ActorMlp.Data.Tests;

/// <summary>
/// Where fashion-mnist is looked for. These tests change $ACTORMLP_DATA, so they share a
/// collection that runs them one at a time.
/// </summary>
[Collection(nameof(DataEnvironment))]
public sealed class FashionMnistTests : IDisposable
{
    readonly TempFolder _searched = new(), _environment = new();
    readonly string? _savedEnvironment = Environment.GetEnvironmentVariable("ACTORMLP_DATA");

    public FashionMnistTests() => Environment.SetEnvironmentVariable("ACTORMLP_DATA", _environment.Path);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("ACTORMLP_DATA", _savedEnvironment);
        _searched.Dispose();
        _environment.Dispose();
    }

    DatasetLoader Loader => new() { SearchFolders = [_searched.Path] };

    static bool DebianPackageInstalled => File.Exists(Path.Combine(DatasetLoader.DebianFashionMnist, "train-images-idx3-ubyte.gz"))
                                          || File.Exists(Path.Combine(DatasetLoader.DebianFashionMnist, "train-images-idx3-ubyte"));

    [Fact]
    public void Without_the_data_anywhere_the_message_says_how_to_get_it_or_the_installed_set_loads()
    {
        if (DebianPackageInstalled)
        {
            var data = Loader.Load(DatasetSpec.Parse("fashion-mnist"));
            Assert.Equal(60000, data.Train.Count);
            Assert.Equal(10000, data.Test.Count);
            Assert.Equal(784, data.Features);
            Assert.Equal(10, data.Classes);
            return;
        }

        var e = Assert.Throws<DataException>(() => Loader.Load(DatasetSpec.Parse("fashion-mnist")));

        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("--data-dir", e.Message);
        Assert.Contains("ACTORMLP_DATA", e.Message);
        Assert.Contains(_searched.Path, e.Message);
        Assert.Contains(_environment.Path, e.Message);
    }

    [Fact]
    public void A_search_folder_holding_the_files_is_used()
    {
        Idx.WriteSet(_searched.Path, gzip: true);

        var data = Loader.Load(DatasetSpec.Parse("fashion-mnist"));

        Assert.Equal("fashion-mnist", data.Name);
        Assert.Equal(6, data.Train.Count);
        Assert.Equal(4, data.Test.Count);
    }

    [Fact]
    public void A_fashion_mnist_subfolder_of_the_environment_folder_is_used()
    {
        Idx.WriteSet(Path.Combine(_environment.Path, "fashion-mnist"), gzip: false, trainCount: 9, testCount: 3);

        var data = Loader.Load(DatasetSpec.Parse("fashion-mnist"));

        Assert.Equal(9, data.Train.Count);
        Assert.Equal(3, data.Test.Count);
    }

    [Fact]
    public void Search_folders_come_before_the_environment_folder()
    {
        Idx.WriteSet(_searched.Path, gzip: false, trainCount: 5, testCount: 2);
        Idx.WriteSet(_environment.Path, gzip: false, trainCount: 9, testCount: 3);

        var data = Loader.Load(DatasetSpec.Parse("fashion-mnist"));

        Assert.Equal(5, data.Train.Count);
    }
}

[CollectionDefinition(nameof(DataEnvironment), DisableParallelization = true)]
public sealed class DataEnvironment;
