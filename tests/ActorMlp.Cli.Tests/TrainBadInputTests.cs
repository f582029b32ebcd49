namespace ActorMlp.Cli.Tests;

/// <summary>
/// Bad input of every kind: exit code 2, one sentence on standard error naming the culprit, and
/// no run folder left behind.
/// </summary>
public sealed class TrainBadInputTests : IDisposable
{
    readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>Runs train into a fresh --out and checks the refusal; returns the one error line.</summary>
    string Refused(params string[] args)
    {
        string run = _cli.NewPath();

        var result = Cli.Run(["train", "--out", run, .. args]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Single(result.ErrorLines);
        Assert.StartsWith("actormlp: ", result.Error);
        Assert.False(Directory.Exists(run) || File.Exists(run), $"{run} was created");
        return result.ErrorLines[0];
    }

    [Theory]
    [InlineData(new[] { "--bogus", "1" }, "--bogus")]
    [InlineData(new[] { "--batch", "64", "--batch", "32" }, "--batch")]
    [InlineData(new[] { "--seed", "abc" }, "--seed")]
    [InlineData(new[] { "--batch", "abc" }, "--batch")]
    [InlineData(new[] { "--batch", "0" }, "--batch")]
    [InlineData(new[] { "--lr", "-1" }, "--lr")]
    [InlineData(new[] { "--lr", "0" }, "--lr")]
    [InlineData(new[] { "--momentum", "1.5" }, "--momentum")]
    [InlineData(new[] { "--micro-shards", "3" }, "--micro-shards")]
    [InlineData(new[] { "--activation", "foo" }, "--activation")]
    [InlineData(new[] { "--optimizer", "lbfgs" }, "--optimizer")]
    [InlineData(new[] { "--loss", "hinge" }, "--loss")]
    [InlineData(new[] { "--loss", "mse" }, "--loss")]
    [InlineData(new[] { "--loss", "log-loss" }, "--loss")]
    [InlineData(new[] { "--schedule", "exponential" }, "--schedule")]
    [InlineData(new[] { "--layers", "64,32,7" }, "--layers")]
    [InlineData(new[] { "--layers", "64" }, "--layers")]
    [InlineData(new[] { "--hidden", "0" }, "--hidden")]
    [InlineData(new[] { "--hidden", "32,x" }, "--hidden")]
    [InlineData(new[] { "--batch", "2000" }, "--batch")]
    [InlineData(new[] { "--workers", "-1" }, "--workers")]
    [InlineData(new[] { "--tensor-link", "carrier-pigeon" }, "tensor-link")]
    [InlineData(new[] { "--wire-precision", "fp8" }, "wire-precision")]
    [InlineData(new[] { "--reduction", "ring" }, "reduction")]
    [InlineData(new[] { "--reduction", "peer", "--tensor-link", "akka" }, "reduction")]
    [InlineData(new[] { "--wire-precision", "bf16", "--tensor-link", "akka" }, "wire-precision")]
    [InlineData(new[] { "--verify-fraction", "1.5" }, "verify-fraction")]
    [InlineData(new[] { "--verify-fraction", "-0.1" }, "verify-fraction")]
    [InlineData(new[] { "--verify-fraction", "0.5", "--reduction", "peer" }, "verify-fraction")]
    [InlineData(new[] { "--verify-fraction", "0.5", "--workers", "0" }, "--verify-fraction")]
    [InlineData(new[] { "--test-fraction", "1" }, "--test-fraction")]
    [InlineData(new[] { "--progress", "fancy" }, "--progress")]
    [InlineData(new[] { "--data", "mnist" }, "mnist")]
    [InlineData(new[] { "--data", "csv:x.csv,labels=1" }, "labels")]
    [InlineData(new[] { "stray" }, "stray")]
    public void Train_refuses_a_bad_flag_naming_it(string[] args, string named)
        => Assert.Contains(named, Refused(args));

    [Fact]
    public void Train_refuses_a_repeated_flag()
        => Assert.Contains("--epochs", Refused("--epochs", "2", "--hidden", "8", "--epochs", "3"));

    [Fact]
    public void Train_refuses_a_flag_without_a_value()
        => Assert.Contains("--seed", Refused("--seed"));

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("1.5")]
    public void Train_refuses_an_epoch_count_that_is_not_a_positive_integer(string epochs)
    {
        string run = _cli.NewPath();

        var result = Cli.Run("train", "--out", run, "--epochs", epochs);

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains("--epochs", result.Error);
        Assert.Contains($"'{epochs}'", result.Error);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Train_refuses_layers_that_do_not_fit_the_data()
    {
        string error = Refused("--layers", "10,5,10");

        Assert.Contains("--layers", error);
        Assert.Contains("64 features", error);
    }

    [Fact]
    public void Train_refuses_layers_with_the_wrong_output_count()
    {
        string error = Refused("--layers", "64,32,7");

        Assert.Contains("--layers", error);
        Assert.Contains("7", error);
        Assert.Contains("10", error);
    }

    [Fact]
    public void Train_refuses_a_batch_larger_than_the_training_set()
    {
        string error = Refused("--batch", "1438");

        Assert.Contains("--batch", error);
        Assert.Contains("1437", error);
    }

    [Fact]
    public void Train_refuses_a_ragged_csv_naming_the_line()
    {
        string csv = _cli.Write("ragged.csv", "a,b,y\n1,2,0\n3,4,1\n5,6\n7,8,1\n");

        string error = Refused("--data", $"csv:{csv}");

        Assert.Contains(csv, error);
        Assert.Contains("line 4", error);
    }

    [Fact]
    public void Train_refuses_a_non_numeric_csv_field_naming_line_and_column()
    {
        string csv = _cli.Write("text.csv", "a,b,y\n1,2,0\n3,four,1\n5,6,0\n");

        string error = Refused("--data", $"csv:{csv}");

        Assert.Contains(csv, error);
        Assert.Contains("line 3", error);
        Assert.Contains("'b'", error);
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-1")]
    public void Train_refuses_a_class_label_that_is_not_a_class_index(string label)
    {
        string csv = _cli.Write("labels.csv", $"a,b,y\n1,2,0\n3,4,1\n5,6,{label}\n7,8,1\n9,1,0\n");

        string error = Refused("--data", $"csv:{csv},task=classification");

        Assert.Contains("line 4", error);
        Assert.Contains(label, error);
    }

    [Fact]
    public void Train_refuses_a_missing_csv_file_naming_it()
    {
        string csv = Path.Combine(_cli.Root, "absent.csv");

        Assert.Contains(csv, Refused("--data", $"csv:{csv}"));
    }

    [Fact]
    public void Train_refuses_a_missing_config_file_naming_it()
    {
        string conf = Path.Combine(_cli.Root, "absent.conf");

        Assert.Contains(conf, Refused("--config", conf));
    }

    [Theory]
    [InlineData("actormlp { train { epochs = 2\n")]
    [InlineData("actormlp.train { epochs = 2 } }\n")]
    [InlineData("actormlp.train.seed = [1, 2\n")]
    [InlineData("actormlp.train.seed = \"3\n")]
    [InlineData("actormlp.train.seed = ${nowhere}\n")]
    public void Train_refuses_a_config_file_that_is_not_valid_hocon(string text)
    {
        string conf = _cli.Write($"bad-{Guid.NewGuid():N}.conf", text);

        string error = Refused("--config", conf);

        Assert.Contains(conf, error);
        Assert.Contains("HOCON", error);
    }

    [Fact]
    public void Train_refuses_a_config_value_of_the_wrong_kind_naming_key_and_flag()
    {
        string conf = _cli.Write("kind.conf", "actormlp.train.seed = { a = 1 }\n");

        string error = Refused("--config", conf);

        Assert.Contains("actormlp.train.seed", error);
        Assert.Contains("--seed", error);
    }

    [Fact]
    public void Train_refuses_an_out_folder_that_is_not_empty_and_leaves_it_alone()
    {
        string run = _cli.NewPath();
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "notes.txt"), "precious");
        Directory.CreateDirectory(Path.Combine(run, "sub"));

        var result = Cli.Run("train", "--out", run, "--epochs", "1", "--hidden", "8", "--workers", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains(run, result.Error);
        Assert.Equal(["notes.txt", "sub"], Directory.EnumerateFileSystemEntries(run).Select(Path.GetFileName).Order());
        Assert.Equal("precious", File.ReadAllText(Path.Combine(run, "notes.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(run, "sub")));
    }

    [Fact]
    public void Train_refuses_an_out_path_that_is_a_file()
    {
        string path = _cli.Write("a-file", "x");

        var result = Cli.Run("train", "--out", path, "--epochs", "1", "--hidden", "8", "--workers", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(path, result.Error);
        Assert.Equal("x", File.ReadAllText(path));
    }
}
