namespace ActorMlp.Cli.Tests;

/// <summary>--resume in this process: from the newest intact checkpoint, to the bits of the uninterrupted run.</summary>
public sealed class ResumeTests : IDisposable
{
    readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    static readonly string[] Flags = ["--workers", "0", "--epochs", "3", "--hidden", "32", "--checkpoint-every", "4", "--keep-checkpoints", "50"];

    /// <summary>A finished run turned into one interrupted after <paramref name="keepUpTo"/> steps: later checkpoints and the summary removed.</summary>
    string Interrupted(out string expected, long keepUpTo)
    {
        string run = _cli.Train(Flags);
        expected = Cli.Sha(run);
        File.Delete(Path.Combine(run, "summary.json"));
        foreach (var file in Directory.GetFiles(Path.Combine(run, "checkpoints")))
            if (long.Parse(Path.GetFileNameWithoutExtension(file)["step-".Length..]) > keepUpTo) File.Delete(file);
        return run;
    }

    [Fact]
    public void Resume_from_mid_run_reaches_the_bits_of_the_uninterrupted_run()
    {
        string run = Interrupted(out string expected, keepUpTo: 16);
        var result = Cli.Run("train", "--resume", run, "--progress", "none");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("step-000000016.ckpt", result.Error);
        Assert.Equal(expected, Cli.Sha(run));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length); // header + 3 epochs, none twice
    }

    [Fact]
    public void Resume_refuses_a_corrupted_newest_checkpoint_naming_it_and_uses_the_one_before()
    {
        string run = Interrupted(out string expected, keepUpTo: 20);
        string newest = Path.Combine(run, "checkpoints", "step-000000020.ckpt");
        var bytes = File.ReadAllBytes(newest);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(newest, bytes);

        var result = Cli.Run("train", "--resume", run, "--progress", "none");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"checkpoint {newest} is corrupt", result.Error);
        Assert.Contains("step-000000016.ckpt", result.Error);
        Assert.Equal(expected, Cli.Sha(run));
    }

    [Fact]
    public void Resume_refuses_other_data_of_the_same_shape_naming_both_fingerprints()
    {
        var rows = File.ReadAllLines(Repository.Data("iris.csv"));
        string original = _cli.Write("iris-a.csv", string.Join("\n", rows));
        rows[1] = "5.2" + rows[1][rows[1].IndexOf(',')..]; // one value of one sample
        string changed = _cli.Write("iris-b.csv", string.Join("\n", rows));
        string run = _cli.Train([.. Flags, "--data", $"csv:{original}", "--batch", "16"]);
        File.Delete(Path.Combine(run, "summary.json"));
        foreach (var file in Directory.GetFiles(Path.Combine(run, "checkpoints")))
            if (long.Parse(Path.GetFileNameWithoutExtension(file)["step-".Length..]) > 8) File.Delete(file);

        var other = Cli.Run("train", "--resume", run, "--data", $"csv:{changed}");
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("it was trained on data", other.Error);
        Assert.Contains($"--data csv:{changed}", other.Error);
        var same = Cli.Run("train", "--resume", run, "--progress", "none");
        Assert.True(same.ExitCode == 0, same.ToString());
    }

    [Fact]
    public void Resume_of_a_run_stopped_after_its_last_checkpoint_writes_the_runs_figures()
    {
        string finished = _cli.Train(Flags);
        var before = Cli.Summary(finished);
        string run = Interrupted(out string expected, keepUpTo: long.MaxValue);

        var result = Cli.Run("train", "--resume", run, "--progress", "none");

        Assert.True(result.ExitCode == 0, result.ToString());
        var after = Cli.Summary(run);
        Assert.Equal(expected, Cli.Sha(run));
        Assert.Equal(before.GetProperty("test_accuracy").GetDouble(), after.GetProperty("test_accuracy").GetDouble());
        Assert.Equal(before.GetProperty("train_loss").GetDouble(), after.GetProperty("train_loss").GetDouble());
    }

    [Fact]
    public void Resume_refuses_a_finished_run_and_settings_that_change_the_run()
    {
        string finished = _cli.Train(Flags);
        var done = Cli.Run("train", "--resume", finished);
        Assert.Equal(2, done.ExitCode);
        Assert.Contains("has finished", done.Error);

        string run = Interrupted(out _, keepUpTo: 8);
        var other = Cli.Run("train", "--resume", run, "--batch", "64");
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("--batch 64", other.Error);
        Assert.Equal(2, Cli.Run("train", "--resume", _cli.NewPath()).ExitCode);
    }
}
