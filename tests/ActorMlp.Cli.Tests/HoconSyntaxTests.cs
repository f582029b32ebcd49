using ActorMlp.Cli.Settings;

namespace ActorMlp.Cli.Tests;

public sealed class HoconSyntaxTests
{
    [Theory]
    [InlineData("actormlp { train { epochs = 2 } }")]
    [InlineData("actormlp.model.hidden = [32, 16]\nactormlp.data.spec = \"csv:a.csv,label=y\"\n")]
    [InlineData("# a comment with { and [\nactormlp.train.epochs = 2 // and } here\n")]
    [InlineData("actormlp.data.spec = \"brace { inside\"\n")]
    [InlineData("actormlp.data.spec = \"an \\\" escaped quote\"\n")]
    [InlineData("actormlp.data.spec = \"\"\"triple\n{ quoted\"\"\"\nactormlp.train.epochs = 2\n")]
    [InlineData("actormlp.data.dir = ${?ACTORMLP_DATA}\n")]
    [InlineData("")]
    public void Well_formed_text_passes(string text) => Assert.Null(HoconSyntax.Problem(text));

    [Theory]
    [InlineData("actormlp {\n  train {\n    epochs = 2\n  }\n", "line 1", "'{'")]
    [InlineData("actormlp.train.epochs = 2\n}\n", "line 2", "'}'")]
    [InlineData("a = [1, 2\nb = 3\n", "line 1", "'['")]
    [InlineData("a { b = [1, 2 }\n", "line 1", "'}'")]
    [InlineData("a = 1\nb = \"open\nc = 2\n", "line 2", "quoted")]
    [InlineData("a = \"\"\"never closed\n", "line 1", "\"\"\"")]
    // Each of these made Akka's own parser loop for ever (found by fuzzing): refused before it runs.
    [InlineData("a = 1\nb = [1, 2\0]\n", "line 2", "control character")]
    [InlineData("n = [:1]\n", "line 1", "inside a list")]
    [InlineData("n = [1, `2]\n", "line 1", "'`'")]
    [InlineData("a = 1\nb = ${ }\n", "line 2", "without a path")]
    public void Malformed_text_is_named_with_its_line(string text, string line, string what)
    {
        string? problem = HoconSyntax.Problem(text);

        Assert.NotNull(problem);
        Assert.Contains(line, problem);
        Assert.Contains(what, problem);
    }

    [Fact]
    public void The_shipped_reference_conf_is_well_formed()
        => Assert.Null(HoconSyntax.Problem(File.ReadAllText(Path.Combine(Repository.Root, "hocon", "reference.conf"))));
}
