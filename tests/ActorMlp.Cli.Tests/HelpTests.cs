using ActorMlp.Cli.CommandLine;

namespace ActorMlp.Cli.Tests;

public sealed class HelpTests
{
    public static TheoryData<string, string[]> Commands => new()
    {
        { "train", OptionTable.Training.Select(o => o.Flag).ToArray() },
        { "evaluate", OptionTable.Evaluate.Select(o => o.Flag).ToArray() },
        { "predict", OptionTable.Predict.Select(o => o.Flag).ToArray() },
        { "export", OptionTable.Export.Select(o => o.Flag).ToArray() },
        { "plot", OptionTable.Plot.Select(o => o.Flag).ToArray() },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Help_for_a_command_exits_0_and_lists_its_flags(string command, string[] flags)
    {
        foreach (string help in new[] { "--help", "-h" })
        {
            var result = Cli.Run(command, help);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal("", result.Error);
            Assert.Contains($"actormlp {command}", result.Output);
            foreach (string flag in flags) Assert.Contains(flag, result.Output);
        }
    }

    [Fact]
    public void Train_help_lists_the_design_flags_and_their_config_keys()
    {
        var result = Cli.Run("train", "--help");

        foreach (string flag in new[] { "--data", "--hidden", "--layers", "--activation", "--loss", "--optimizer", "--lr", "--momentum",
                     "--batch", "--micro-shards", "--epochs", "--seed", "--workers", "--threads-per-worker", "--config", "--out", "--checkpoint-every" })
            Assert.Contains(flag, result.Output);
        Assert.Contains("actormlp.train.epochs", result.Output);
    }

    [Fact]
    public void Help_after_other_flags_still_only_shows_help()
    {
        var result = Cli.Run("train", "--epochs", "abc", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("--epochs", result.Output);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void General_help_exits_0_and_names_the_commands(string help)
    {
        var result = Cli.Run(help);

        Assert.Equal(0, result.ExitCode);
        foreach (string command in new[] { "train", "evaluate", "predict", "export", "plot" }) Assert.Contains(command, result.Output);
    }

    [Fact]
    public void No_arguments_show_help_and_exit_2()
    {
        var result = Cli.Run();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("train", result.Output);
    }

    [Theory]
    [InlineData("fit")]
    [InlineData("--epochs")]
    [InlineData("Train")]
    public void An_unknown_command_exits_2_naming_it(string command)
    {
        var result = Cli.Run(command, "--epochs", "1");

        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.ErrorLines);
        Assert.Contains($"'{command}'", result.Error);
    }

    [Theory]
    [InlineData("evaluate", "--epochs")]
    [InlineData("predict", "--data")]
    public void A_flag_of_another_command_is_refused(string command, string flag)
    {
        var result = Cli.Run(command, flag, "1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(flag, result.Error);
    }
}
