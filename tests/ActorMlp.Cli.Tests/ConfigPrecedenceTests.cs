namespace ActorMlp.Cli.Tests;

/// <summary>CLI flag over --config files (a later file wins) over the embedded reference.conf.</summary>
public sealed class ConfigPrecedenceTests : IDisposable
{
    readonly Cli _cli = new();

    public void Dispose() => _cli.Dispose();

    string Conf(string name, string text) => _cli.Write(name, text);

    static int Epochs(string run) => Cli.Summary(run).GetProperty("epochs").GetInt32();

    [Fact]
    public void A_config_file_setting_is_used()
    {
        string conf = Conf("two.conf", "actormlp.train.epochs = 2\nactormlp.model.hidden = [8]\n");

        string run = _cli.Train("--config", conf);

        Assert.Equal(2, Epochs(run));
        Assert.Equal([64, 8, 10], Cli.Summary(run).GetProperty("layers").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public void A_nested_config_file_is_read_like_a_dotted_one()
    {
        string conf = Conf("nested.conf", "actormlp {\n  train {\n    epochs = 2\n    batch = 64\n  }\n  model.hidden = [8]\n}\n");

        var s = Cli.Summary(_cli.Train("--config", conf));

        Assert.Equal(2, s.GetProperty("epochs").GetInt32());
        Assert.Equal(64, s.GetProperty("batch").GetInt32());
    }

    [Fact]
    public void A_flag_beats_a_config_file()
    {
        string conf = Conf("two.conf", "actormlp.train.epochs = 2\nactormlp.model.hidden = [8]\n");

        Assert.Equal(3, Epochs(_cli.Train("--config", conf, "--epochs", "3")));
        Assert.Equal(3, Epochs(_cli.Train("--epochs", "3", "--config", conf)));
    }

    [Fact]
    public void A_later_config_file_beats_an_earlier_one()
    {
        string two = Conf("two.conf", "actormlp.train.epochs = 2\nactormlp.model.hidden = [8]\n");
        string three = Conf("three.conf", "actormlp.train.epochs = 3\n");

        Assert.Equal(3, Epochs(_cli.Train("--config", two, "--config", three)));
        Assert.Equal(2, Epochs(_cli.Train("--config", three, "--config", two)));
    }

    [Fact]
    public void Settings_a_later_file_leaves_out_come_from_the_earlier_one()
    {
        string first = Conf("first.conf", "actormlp.train { epochs = 2, batch = 32 }\nactormlp.model.hidden = [8]\n");
        string second = Conf("second.conf", "actormlp.train.epochs = 1\n");

        var s = Cli.Summary(_cli.Train("--config", first, "--config", second));

        Assert.Equal(1, s.GetProperty("epochs").GetInt32());
        Assert.Equal(32, s.GetProperty("batch").GetInt32());
    }

    [Fact]
    public void A_bad_value_in_a_config_file_names_the_key_and_its_flag()
    {
        string conf = Conf("bad.conf", "actormlp.train.epochs = lots\n");
        string run = _cli.NewPath();

        var result = Cli.Run("train", "--out", run, "--config", conf, "--workers", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("actormlp.train.epochs", result.Error);
        Assert.Contains("--epochs", result.Error);
        Assert.False(Directory.Exists(run));
    }

    [Theory]
    [InlineData("actormlp.train.epoch = 2\n", "actormlp.train.epoch,", "actormlp.train.epochs")]
    [InlineData("actormlp {\n  optimizer {\n    learning-rat = 0.1\n  }\n}\n", "actormlp.optimizer.learning-rat,", "actormlp.optimizer.learning-rate")]
    [InlineData("actormlp.data.specs = digits\n", "actormlp.data.specs,", "actormlp.data.spec")]
    [InlineData("actormlp.trian.epochs = 2\n", "actormlp.trian,", "actormlp.train")]
    [InlineData("actormlp.train.reed = ${?HOME}\n", "actormlp.train.reed,", "actormlp.train.seed")]
    public void An_unknown_key_in_a_config_file_is_refused_with_the_nearest_known_one(string text, string named, string nearest)
    {
        string conf = Conf("unknown.conf", text);
        string run = _cli.NewPath();

        var result = Cli.Run("train", "--out", run, "--config", conf, "--workers", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(conf, result.Error);
        Assert.Contains(named, result.Error);
        Assert.Contains($"did you mean {nearest}?", result.Error);
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void Akka_keys_and_dispatcher_settings_are_left_to_akka()
    {
        string conf = Conf("akka.conf", "akka.cluster.gossip-interval = 500ms\nactormlp.cluster.worker-dispatcher.throughput = 5\nactormlp.train.epochs = 1\n");

        Assert.Equal(1, Epochs(_cli.Train("--config", conf, "--hidden", "8")));
    }

    [Fact]
    public void The_config_a_run_wrote_reproduces_the_run()
    {
        string first = _cli.Train("--epochs", "2", "--hidden", "16,8", "--seed", "5", "--batch", "64");

        string second = _cli.Train("--config", Path.Combine(first, "config.conf"));

        var a = Cli.Summary(first);
        var b = Cli.Summary(second);
        Assert.Equal(a.GetProperty("layers").ToString(), b.GetProperty("layers").ToString());
        Assert.Equal(2, b.GetProperty("epochs").GetInt32());
        Assert.Equal(Cli.Sha(first), Cli.Sha(second));
    }

    [Fact]
    public void The_shipped_reference_conf_is_accepted_as_a_config_file()
    {
        string reference = Path.Combine(Repository.Root, "hocon", "reference.conf");

        var s = Cli.Summary(_cli.Train("--config", reference, "--epochs", "1", "--hidden", "8"));

        Assert.Equal(1, s.GetProperty("epochs").GetInt32());
        Assert.Equal(32, s.GetProperty("batch").GetInt32());
    }
}
