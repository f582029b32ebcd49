namespace ActorMlp.Data.Tests;

public sealed class ExcerptTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("7", "7")]
    [InlineData("3.5e2", "3.5e2")]
    [InlineData("naïve – ok", "naïve – ok")]
    public void Short_printable_text_is_quoted_as_it_is(string? text, string expected)
        => Assert.Equal(expected, Excerpt.Of(text));

    [Theory]
    [InlineData("a\u0000b", "a\\u0000b")]
    [InlineData("\u001b[2J", "\\u001b[2J")]
    [InlineData("tab\there", "tab\\u0009here")]
    [InlineData("line\nbreak", "line\\u000abreak")]
    [InlineData("\u200Bzero width", "\\u200bzero width")]
    public void Unprintable_characters_are_written_as_escapes(string text, string expected)
        => Assert.Equal(expected, Excerpt.Of(text));

    [Fact]
    public void A_lone_surrogate_is_written_as_an_escape()
        => Assert.Equal("a\\ud800b", Excerpt.Of("a" + (char)0xD800 + "b"));

    [Theory]
    [InlineData(Excerpt.Field)]
    [InlineData(Excerpt.Field + 1)]
    [InlineData(10_000)]
    public void Long_text_is_cut_after_the_limit(int length)
    {
        string excerpt = Excerpt.Of(new string('x', length));

        Assert.Equal(length <= Excerpt.Field ? new string('x', length) : new string('x', Excerpt.Field) + "…", excerpt);
    }

    [Fact]
    public void A_longer_limit_is_kept_for_names()
        => Assert.Equal(Excerpt.Name + 1, Excerpt.Of(new string('p', 500), Excerpt.Name).Length);
}
