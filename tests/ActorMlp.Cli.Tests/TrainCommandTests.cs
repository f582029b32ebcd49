using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ActorMlp.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    static readonly string[] Small = ["--epochs", "2", "--hidden", "32"];

    [Fact]
    public void Train_on_digits_writes_summary_metrics_checkpoint_and_config()
    {
        string run = _cli.NewPath();

        var result = Cli.Run("train", "--out", run, "--epochs", "3", "--hidden", "32", "--workers", "0");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Error);
        var s = Cli.Summary(run);
        Assert.Equal("digits", s.GetProperty("dataset").GetString());
        Assert.Equal("classification", s.GetProperty("task").GetString());
        Assert.Equal([64, 32, 10], s.GetProperty("layers").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(3, s.GetProperty("epochs").GetInt32());
        Assert.Equal(3 * (1437 / 32), s.GetProperty("steps").GetInt64());
        Assert.Equal(0, s.GetProperty("workers").GetInt32());
        Assert.Equal(32, s.GetProperty("batch").GetInt32());
        Assert.Equal("auto", s.GetProperty("batch_choice").GetString());
        Assert.Equal("auto", s.GetProperty("learning_rate_choice").GetString());
        Assert.Equal(16, s.GetProperty("micro_shards").GetInt32());
        Assert.InRange(s.GetProperty("train_loss").GetDouble(), 1e-6, 2.5);
        Assert.InRange(s.GetProperty("test_loss").GetDouble(), 1e-6, 2.5);
        Assert.InRange(s.GetProperty("test_accuracy").GetDouble(), 0.5, 1.0);
        Assert.True(s.GetProperty("samples_per_second").GetDouble() > 0);
        Assert.True(s.GetProperty("wall_seconds").GetDouble() > 0);
        Assert.False(s.TryGetProperty("test_rmse", out _));
        string sha = s.GetProperty("parameters_sha256").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", sha);
        Assert.Contains($"parameters_sha256: {sha}", result.Output);

        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal(4, metrics.Length);
        var header = metrics[0].Split(',');
        int epoch = Array.IndexOf(header, "epoch"), testAccuracy = Array.IndexOf(header, "test_accuracy");
        Assert.True(epoch >= 0 && testAccuracy >= 0, metrics[0]);
        Assert.Equal(["1", "2", "3"], metrics[1..].Select(l => l.Split(',')[epoch]));
        Assert.Equal(s.GetProperty("test_accuracy").GetDouble(),
            double.Parse(metrics[3].Split(',')[testAccuracy], CultureInfo.InvariantCulture), 6);

        Assert.True(new FileInfo(Path.Combine(run, "model.ckpt")).Length > 2410 * 4);
        Assert.Contains("epochs", File.ReadAllText(Path.Combine(run, "config.conf")));
        Assert.Empty(Directory.GetFiles(run, "*.tmp"));
    }

    [Fact]
    public async Task The_embedded_cluster_forms_trains_and_leaves_without_a_word_on_standard_error()
    {
        // A process of its own: Akka's logger writes to the process's standard error, which an in-process run does not capture.
        string run = _cli.NewPath();
        var info = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "actormlp.dll"), "train", "--out", run, "--epochs", "1", "--hidden", "16" })
            info.ArgumentList.Add(a);

        using var process = System.Diagnostics.Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, await output + error);
        Assert.Equal("", error);
        Assert.Equal(2, Cli.Summary(run).GetProperty("workers").GetInt32());
    }

    [Fact]
    public void The_same_command_twice_gives_the_same_parameters()
    {
        Assert.Equal(Cli.Sha(_cli.Train(Small)), Cli.Sha(_cli.Train(Small)));
    }

    [Fact]
    public void Another_seed_gives_other_parameters()
    {
        Assert.NotEqual(Cli.Sha(_cli.Train(Small)), Cli.Sha(_cli.Train([.. Small, "--seed", "2"])));
    }

    [Fact]
    public void Peer_reduction_gives_the_bits_of_the_star_and_of_one_process()
    {
        string local = Cli.Sha(_cli.Train([.. Small, "--workers", "0"]));
        Assert.Equal(local, Cli.Sha(_cli.Train([.. Small, "--workers", "2", "--reduction", "star"])));
        Assert.Equal(local, Cli.Sha(_cli.Train([.. Small, "--workers", "3", "--reduction", "peer"])));
    }

    [Fact]
    public void Verifying_every_subtree_keeps_the_bits_of_one_process()
    {
        string local = Cli.Sha(_cli.Train([.. Small, "--workers", "0"]));
        Assert.Equal(local, Cli.Sha(_cli.Train([.. Small, "--workers", "2", "--verify-fraction", "1"])));
    }

    [Fact]
    public void Verifying_every_subtree_on_a_bfloat16_link_keeps_its_bits()
    {
        // A worker dropped by mistake would leave the run waiting for another: not for long here.
        string conf = _cli.Write("short-wait.conf", "actormlp.cluster.no-worker-timeout = 10s\n");
        string[] bf16 = [.. Small, "--workers", "2", "--wire-precision", "bf16", "--config", conf];
        Assert.Equal(Cli.Sha(_cli.Train(bf16)), Cli.Sha(_cli.Train([.. bf16, "--verify-fraction", "1"])));
    }

    [Fact]
    public void Peer_reduction_in_bf16_gives_the_same_bits_for_two_and_three_workers_and_one_process()
    {
        string two = Cli.Sha(_cli.Train([.. Small, "--workers", "2", "--reduction", "peer", "--wire-precision", "bf16"]));
        string three = Cli.Sha(_cli.Train([.. Small, "--workers", "3", "--reduction", "peer", "--wire-precision", "bf16"]));
        string local = _cli.Train([.. Small, "--workers", "0", "--wire-precision", "bf16"]);
        Assert.Equal(two, three);
        Assert.Equal(two, Cli.Sha(local));
        Assert.Equal("bf16", Cli.Summary(local).GetProperty("gradient_precision").GetString());
        Assert.NotEqual(Cli.Sha(_cli.Train([.. Small, "--workers", "0"])), two);
    }

    [Fact]
    public void Two_threads_per_worker_give_the_same_parameters_as_one()
    {
        string one = Cli.Sha(_cli.Train([.. Small, "--threads-per-worker", "1"]));
        string two = Cli.Sha(_cli.Train([.. Small, "--threads-per-worker", "2"]));

        Assert.Equal(one, two);
    }

    [Fact]
    public void Bf16_on_the_wire_is_reproducible_learns_as_well_and_is_not_fp32()
    {
        string[] cluster = [.. Small, "--workers", "2"];
        string fp32 = _cli.Train(cluster);
        string bf16 = _cli.Train([.. cluster, "--wire-precision", "bf16"]);

        Assert.Equal(Cli.Sha(bf16), Cli.Sha(_cli.Train([.. cluster, "--wire-precision", "bf16"])));
        Assert.NotEqual(Cli.Sha(fp32), Cli.Sha(bf16));
        double a = Cli.Summary(fp32).GetProperty("test_accuracy").GetDouble(), b = Cli.Summary(bf16).GetProperty("test_accuracy").GetDouble();
        Assert.True(Math.Abs(a - b) < 0.03, $"fp32 {a}, bf16 {b}");
    }

    [Fact]
    public void The_default_digits_run_reaches_95_percent_test_accuracy()
    {
        var s = Cli.Summary(_cli.Train());

        Assert.Equal([64, 256, 128, 10], s.GetProperty("layers").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(10, s.GetProperty("epochs").GetInt32());
        Assert.True(s.GetProperty("test_accuracy").GetDouble() >= 0.95, s.ToString());
    }

    [Fact]
    public void Breast_cancer_with_default_flags_reaches_96_percent()
    {
        var s = Cli.Summary(_cli.Train("--data", $"csv:{Repository.Data("breast_cancer.csv")}"));

        Assert.Equal("classification", s.GetProperty("task").GetString());
        Assert.Equal("log-loss", s.GetProperty("loss").GetString());
        Assert.Equal(1, s.GetProperty("layers").EnumerateArray().Last().GetInt32());
        Assert.Equal(32, s.GetProperty("batch").GetInt32());
        Assert.True(s.GetProperty("test_accuracy").GetDouble() >= 0.96, s.ToString());
    }

    [Fact]
    public void Diabetes_with_default_flags_beats_predicting_the_mean_at_the_regression_rate()
    {
        var s = Cli.Summary(_cli.Train("--data", $"csv:{Repository.Data("diabetes.csv")}"));

        Assert.Equal(0.01, s.GetProperty("learning_rate").GetDouble(), 1e-9);
        Assert.Equal("auto", s.GetProperty("learning_rate_choice").GetString());
        double rmse = s.GetProperty("test_rmse").GetDouble(), baseline = s.GetProperty("baseline_rmse").GetDouble();
        Assert.True(rmse < 0.85 * baseline, $"test_rmse {rmse}, baseline_rmse {baseline}");
    }

    [Fact]
    public void A_table_smaller_than_the_largest_auto_batch_trains_with_default_flags()
    {
        var s = Cli.Summary(_cli.Train("--data", $"csv:{Repository.Data("iris.csv")}"));

        Assert.Equal(120, s.GetProperty("train_samples").GetInt32());
        Assert.Equal(32, s.GetProperty("batch").GetInt32());
        Assert.Equal(10 * (120 / 32), s.GetProperty("steps").GetInt64());
    }

    [Fact]
    public void A_given_batch_and_learning_rate_are_kept()
    {
        var s = Cli.Summary(_cli.Train("--data", $"csv:{Repository.Data("diabetes.csv")}", "--batch", "64", "--lr", "0.02", "--epochs", "1"));

        Assert.Equal(64, s.GetProperty("batch").GetInt32());
        Assert.Equal("given", s.GetProperty("batch_choice").GetString());
        Assert.Equal(0.02, s.GetProperty("learning_rate").GetDouble(), 1e-9);
        Assert.Equal("given", s.GetProperty("learning_rate_choice").GetString());
    }

    [Fact]
    public void Diabetes_regression_beats_predicting_the_mean()
    {
        string run = _cli.NewPath();
        var result = Cli.Run("train", "--out", run, "--workers", "0", "--data", $"csv:{Repository.Data("diabetes.csv")}",
            "--hidden", "16", "--batch", "16", "--lr", "0.002", "--epochs", "100", "--progress", "none");
        Assert.True(result.ExitCode == 0, result.ToString());

        var s = Cli.Summary(run);
        Assert.Equal("regression", s.GetProperty("task").GetString());
        Assert.Equal("mse", s.GetProperty("loss").GetString());
        Assert.False(s.TryGetProperty("test_accuracy", out _));
        double rmse = s.GetProperty("test_rmse").GetDouble(), baseline = s.GetProperty("baseline_rmse").GetDouble();
        Assert.InRange(baseline, 20, 200);
        Assert.True(rmse < 0.85 * baseline, $"test_rmse {rmse}, baseline_rmse {baseline}");
        Assert.Contains("test_rmse:", result.Output);
        Assert.Equal(100, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length - 1);
    }

    [Fact]
    public void Progress_lines_report_every_epoch_when_not_on_a_terminal()
    {
        string run = _cli.NewPath();

        var result = Cli.Run(["train", "--out", run, .. Small]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(2, Regex.Matches(result.Output, @"^epoch \d/2 ", RegexOptions.Multiline).Count);
        Assert.DoesNotContain('\r', result.Output);
    }

    [Fact]
    public void An_empty_out_folder_is_used()
    {
        string run = _cli.NewPath();
        Directory.CreateDirectory(run);

        var result = Cli.Run(["train", "--out", run, .. Small]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(File.Exists(Path.Combine(run, "summary.json")));
    }

    [Fact]
    public void Flags_take_their_value_after_an_equals_sign_too()
    {
        string run = _cli.NewPath();

        var result = Cli.Run("train", $"--out={run}", "--epochs=2", "--hidden=16,8", "--progress=none", "--workers=0");

        Assert.True(result.ExitCode == 0, result.ToString());
        var s = Cli.Summary(run);
        Assert.Equal(2, s.GetProperty("epochs").GetInt32());
        Assert.Equal([64, 16, 8, 10], s.GetProperty("layers").EnumerateArray().Select(e => e.GetInt32()));
    }
}
