namespace ActorMlp.Cli.Tests;

/// <summary>One small digits run and one small diabetes run, trained once for the evaluate and predict tests.</summary>
public sealed class TrainedRuns : IDisposable
{
    public Cli Cli { get; } = new();
    public string Digits { get; }
    public string Diabetes { get; }

    public TrainedRuns()
    {
        Digits = Cli.Train("--epochs", "3", "--hidden", "32");
        Diabetes = Cli.Train("--data", $"csv:{Repository.Data("diabetes.csv")}", "--hidden", "16", "--batch", "16", "--lr", "0.002", "--epochs", "20");
    }

    public void Dispose() => Cli.Dispose();
}

[CollectionDefinition(nameof(TrainedRuns))]
public sealed class TrainedRunsCollection : ICollectionFixture<TrainedRuns>;

[Collection(nameof(TrainedRuns))]
public sealed class EvaluateCommandTests(TrainedRuns runs) : IDisposable
{
    readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Evaluate_reproduces_the_test_accuracy_of_the_run()
    {
        var result = Cli.Run("evaluate", "--model", runs.Digits);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = Cli.Json(result.Output);
        var summary = Cli.Summary(runs.Digits);
        Assert.Equal("digits", json.GetProperty("dataset").GetString());
        Assert.Equal(360, json.GetProperty("samples").GetInt32());
        Assert.Equal(summary.GetProperty("test_accuracy").GetDouble(), json.GetProperty("test_accuracy").GetDouble(), 1e-9);
        Assert.Equal(summary.GetProperty("test_loss").GetDouble(), json.GetProperty("test_loss").GetDouble(), 1e-6);
    }

    [Fact]
    public void Evaluate_reads_a_checkpoint_file_as_well_as_a_run_folder()
    {
        var result = Cli.Run("evaluate", "--model", Path.Combine(runs.Digits, "model.ckpt"), "--data", "digits");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(Cli.Summary(runs.Digits).GetProperty("test_accuracy").GetDouble(),
            Cli.Json(result.Output).GetProperty("test_accuracy").GetDouble(), 1e-9);
    }

    [Fact]
    public void Evaluate_reproduces_the_test_rmse_of_a_regression_run()
    {
        var result = Cli.Run("evaluate", "--model", runs.Diabetes);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = Cli.Json(result.Output);
        Assert.False(json.TryGetProperty("test_accuracy", out _));
        Assert.Equal(Cli.Summary(runs.Diabetes).GetProperty("test_rmse").GetDouble(), json.GetProperty("test_rmse").GetDouble(), 1e-6);
    }

    [Fact]
    public void Evaluate_uses_the_split_the_run_was_trained_with()
    {
        string run = _cli.Train("--epochs", "2", "--hidden", "16", "--test-fraction", "0.3", "--split-seed", "7");

        var result = Cli.Run("evaluate", "--model", run);

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = Cli.Json(result.Output);
        Assert.Equal(Cli.Summary(run).GetProperty("test_samples").GetInt32(), json.GetProperty("samples").GetInt32());
        Assert.Equal(Cli.Summary(run).GetProperty("test_accuracy").GetDouble(), json.GetProperty("test_accuracy").GetDouble(), 1e-9);
    }

    [Fact]
    public void Evaluate_refuses_a_missing_run_folder()
    {
        string missing = Path.Combine(_cli.Root, "no-such-run");

        var result = Cli.Run("evaluate", "--model", missing);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains(missing, result.Error);
    }

    [Fact]
    public void Evaluate_refuses_a_run_folder_without_a_checkpoint()
    {
        string empty = _cli.NewPath("empty");
        Directory.CreateDirectory(empty);

        var result = Cli.Run("evaluate", "--model", empty);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("model.ckpt", result.Error);
    }

    [Fact]
    public void Evaluate_refuses_a_missing_model_flag()
    {
        var result = Cli.Run("evaluate");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--model", result.Error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(5000)]
    public void Evaluate_refuses_a_checkpoint_with_one_flipped_byte_saying_checksum(int fromEnd)
    {
        string copy = _cli.NewPath("corrupt");
        Directory.CreateDirectory(copy);
        string checkpoint = Path.Combine(copy, "model.ckpt");
        var bytes = File.ReadAllBytes(Path.Combine(runs.Digits, "model.ckpt"));
        bytes[^fromEnd] ^= 0x10;
        File.WriteAllBytes(checkpoint, bytes);

        var result = Cli.Run("evaluate", "--model", copy);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains(checkpoint, result.Error);
        Assert.Contains("checksum", result.Error);
    }

    [Fact]
    public void Evaluate_refuses_a_truncated_checkpoint_naming_it()
    {
        string copy = _cli.NewPath("truncated");
        Directory.CreateDirectory(copy);
        string checkpoint = Path.Combine(copy, "model.ckpt");
        var bytes = File.ReadAllBytes(Path.Combine(runs.Digits, "model.ckpt"));
        File.WriteAllBytes(checkpoint, bytes[..(bytes.Length / 2)]);

        var result = Cli.Run("evaluate", "--model", copy);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(checkpoint, result.Error);
    }

    [Fact]
    public void Evaluate_refuses_data_with_another_feature_count()
    {
        var result = Cli.Run("evaluate", "--model", runs.Digits, "--data", $"csv:{Repository.Data("iris.csv")}");

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains("64", result.Error);
    }
}
