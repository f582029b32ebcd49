using System.Buffers.Binary;
using SkiaSharp;

namespace ActorMlp.Cli.Tests;

/// <summary>curves.png in every run folder, and `actormlp plot` over one or more run folders.</summary>
[Collection(nameof(TrainedRuns))]
public sealed class PlotTests(TrainedRuns runs) : IDisposable
{
    readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    // Category10's first two colours: the train and test lines of one run, or the first and second run of several.
    static readonly SKColor Blue = new(0x1f, 0x77, 0xb4), Orange = new(0xff, 0x7f, 0x0e);

    /// <summary>Width and height from the IHDR chunk, after checking the PNG signature and that IHDR comes first.</summary>
    static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path} has {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    static int Count(SKBitmap image, Func<SKColor, bool> match, int top = 0, int bottom = int.MaxValue)
    {
        int n = 0;
        for (int y = top; y < Math.Min(bottom, image.Height); y++)
            for (int x = 0; x < image.Width; x++)
                if (match(image.GetPixel(x, y))) n++;
        return n;
    }

    static bool Near(SKColor a, SKColor b) => Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue) < 30;

    static bool Dark(SKColor c) => c.Red + c.Green + c.Blue < 200;

    /// <summary>Decodes the PNG and insists it is a drawing: both line colours and dark text in the title strip.</summary>
    static void AssertDrawn(string path)
    {
        using var image = SKBitmap.Decode(path);
        Assert.NotNull(image);
        Assert.True(Count(image, c => Near(c, Blue)) > 200, $"{path}: no blue line");
        Assert.True(Count(image, c => Near(c, Orange)) > 200, $"{path}: no orange line");
        Assert.True(Count(image, Dark, bottom: 40) > 100, $"{path}: no title text");
    }

    [Fact]
    public void A_classification_run_leaves_curves_png_of_1200_by_800()
    {
        string curves = Path.Combine(runs.Digits, "curves.png");

        Assert.Equal((1200, 800), PngSize(curves));
        AssertDrawn(curves);
        Assert.Empty(Directory.GetFiles(runs.Digits, "*.part"));
    }

    [Fact]
    public void A_regression_run_leaves_curves_png_of_1200_by_800()
    {
        string curves = Path.Combine(runs.Diabetes, "curves.png");

        Assert.Equal((1200, 800), PngSize(curves));
        AssertDrawn(curves);
    }

    [Fact]
    public void A_run_whose_curves_cannot_be_written_still_finishes_with_one_line_saying_so()
    {
        string run = _cli.Train("--epochs", "2", "--hidden", "16", "--checkpoint-every", "4", "--keep-checkpoints", "50");
        string expected = Cli.Sha(run);
        File.Delete(Path.Combine(run, "summary.json"));
        foreach (var file in Directory.GetFiles(Path.Combine(run, "checkpoints")))
            if (long.Parse(Path.GetFileNameWithoutExtension(file)["step-".Length..]) > 12) File.Delete(file);
        // A folder where the picture goes: it cannot be replaced by a file.
        File.Delete(Path.Combine(run, "curves.png"));
        Directory.CreateDirectory(Path.Combine(run, "curves.png", "in-the-way"));

        var result = Cli.Run("train", "--resume", run, "--progress", "none");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(expected, Cli.Sha(run));
        Assert.Single(result.ErrorLines, l => l.Contains("curves.png not drawn"));
        Assert.Empty(Directory.GetFiles(run, "*.part"));
    }

    [Fact]
    public void Plot_overlays_two_runs_at_the_requested_size()
    {
        string other = _cli.Train("--epochs", "2", "--hidden", "16", "--lr", "0.01");
        string target = Path.Combine(_cli.Root, "compare.png");

        var result = Cli.Run("plot", runs.Digits, other, "--out", target, "--width", "900", "--height", "600");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal((900, 600), PngSize(target));
        AssertDrawn(target);
        Assert.False(File.Exists(target + ".part"));
    }

    [Fact]
    public void Plot_of_a_folder_without_metrics_exits_2_naming_the_file()
    {
        string empty = Directory.CreateDirectory(_cli.NewPath("empty")).FullName;
        string target = Path.Combine(_cli.Root, "none.png");

        var result = Cli.Run("plot", runs.Digits, empty, "--out", target);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains(Path.Combine(empty, "metrics.csv"), result.Error);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Plot_of_an_unreadable_metrics_row_exits_2_naming_the_file_and_line()
    {
        string run = Directory.CreateDirectory(_cli.NewPath("broken")).FullName;
        var lines = File.ReadAllLines(Path.Combine(runs.Digits, "metrics.csv"));
        lines[2] = lines[2].Replace(lines[2].Split(',')[2], "lots");
        File.WriteAllLines(Path.Combine(run, "metrics.csv"), lines);
        string target = Path.Combine(_cli.Root, "broken.png");

        var result = Cli.Run("plot", run, "--out", target);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{Path.Combine(run, "metrics.csv")} line 3", result.Error);
        Assert.Contains("'lots'", result.Error);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void Plot_without_out_is_a_usage_error()
    {
        var result = Cli.Run("plot", runs.Digits);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--out", result.Error);
    }

    [Fact]
    public void Plot_without_a_run_folder_is_a_usage_error()
    {
        var result = Cli.Run("plot", "--out", Path.Combine(_cli.Root, "nothing.png"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("run folder", result.Error);
    }

    [Fact]
    public void Plot_refuses_to_overlay_classification_and_regression()
    {
        string target = Path.Combine(_cli.Root, "mixed.png");

        var result = Cli.Run("plot", runs.Digits, runs.Diabetes, "--out", target);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(Path.GetFileName(runs.Diabetes), result.Error);
        Assert.False(File.Exists(target));
    }

    [Theory]
    [InlineData("--width", "10")]
    [InlineData("--height", "tall")]
    public void Plot_refuses_a_bad_size_naming_the_flag(string flag, string value)
    {
        var result = Cli.Run("plot", runs.Digits, "--out", Path.Combine(_cli.Root, "size.png"), flag, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(flag, result.Error);
        Assert.Contains($"'{value}'", result.Error);
    }
}
