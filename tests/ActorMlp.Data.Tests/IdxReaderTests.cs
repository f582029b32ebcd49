namespace ActorMlp.Data.Tests;

public sealed class IdxReaderTests : IDisposable
{
    readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    string Write(string name, byte[] bytes, bool gzip) => _temp.Write(gzip ? name + ".gz" : name, gzip ? Idx.Gzip(bytes) : bytes);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Images_read_back_with_their_exact_pixels_and_shape(bool gzip)
    {
        var pixels = Idx.Ramp(5, 3, 4);
        string path = Write("images", Idx.Images(5, 3, 4, pixels), gzip);

        var images = IdxReader.ReadImages(path);

        Assert.Equal(5, images.Count);
        Assert.Equal(3, images.Rows);
        Assert.Equal(4, images.Columns);
        Assert.Equal(12, images.Features);
        Assert.Equal(pixels, images.Pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Labels_read_back_exactly(bool gzip)
    {
        byte[] labels = [3, 0, 9, 9, 1, 255];
        string path = Write("labels", Idx.Labels(labels), gzip);

        Assert.Equal(labels, IdxReader.ReadLabels(path));
    }

    [Fact]
    public void A_labels_file_read_as_images_is_refused_for_its_magic_number()
    {
        string path = Write("labels", Idx.Labels([1, 2, 3]), gzip: false);

        var e = Assert.Throws<DataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("magic", e.Message);
    }

    [Fact]
    public void An_images_file_read_as_labels_is_refused_for_its_magic_number()
    {
        string path = Write("images", Idx.Images(1, 2, 2, new byte[4]), gzip: true);

        var e = Assert.Throws<DataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("magic", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_truncated_image_body_is_refused_naming_the_file(bool gzip)
    {
        var full = Idx.Images(4, 2, 2, Idx.Ramp(4, 2, 2));
        string path = Write("images", full[..^3], gzip);

        var e = Assert.Throws<DataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void A_truncated_label_body_is_refused_naming_the_file()
    {
        string path = Write("labels", Idx.Labels([1, 2, 3, 4])[..^1], gzip: false);

        var e = Assert.Throws<DataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void An_image_file_longer_than_its_header_says_is_refused()
    {
        var full = Idx.Images(2, 2, 2, Idx.Ramp(2, 2, 2));
        string path = Write("images", [.. full, 7], gzip: false);

        var e = Assert.Throws<DataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("longer", e.Message);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(15)]
    public void A_file_cut_inside_its_header_is_refused_naming_the_file(int length)
    {
        string path = Write("images", Idx.Images(2, 2, 2, Idx.Ramp(2, 2, 2))[..length], gzip: false);

        var e = Assert.Throws<DataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("header", e.Message);
    }

    [Fact]
    public void A_file_shorter_than_a_magic_number_is_refused_naming_the_file()
    {
        string path = Write("labels", [0, 0], gzip: false);

        var e = Assert.Throws<DataException>(() => IdxReader.ReadLabels(path));

        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_corrupt_gzip_file_is_refused_naming_the_file()
    {
        // A gzip header, then a deflate block of the reserved type 3.
        string path = _temp.Write("images.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 0x07, 0x12, 0x34]);

        var e = Assert.Throws<DataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
        Assert.Contains("gzip", e.Message);
    }

    [Fact]
    public void A_missing_file_is_refused_naming_it()
    {
        string path = _temp.File("nowhere-idx3-ubyte");

        var e = Assert.Throws<DataException>(() => IdxReader.ReadImages(path));

        Assert.Contains(path, e.Message);
    }
}
