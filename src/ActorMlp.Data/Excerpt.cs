using System.Text;

namespace ActorMlp.Data;

/// <summary>
/// What an error message may quote of the user's input: a few dozen characters,
/// control and other unprintable characters written as \uXXXX, so a binary file's bytes cannot
/// flood or garble a terminal through the message that refuses them.
/// </summary>
internal static class Excerpt
{
    /// <summary>Enough for a number, a word or a column name.</summary>
    public const int Field = 40;

    /// <summary>Enough for a path, a data spec or a configuration key.</summary>
    public const int Name = 100;

    public static string Of(string? text, int maxLength = Field)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var excerpt = new StringBuilder();
        foreach (char c in text)
        {
            if (excerpt.Length >= maxLength)
            {
                excerpt.Append('…');
                break;
            }
            if (Printable(c)) excerpt.Append(c);
            else excerpt.Append($"\\u{(int)c:x4}");
        }
        return excerpt.ToString();
    }

    static bool Printable(char c) => !char.IsControl(c) && !char.IsSurrogate(c) && char.GetUnicodeCategory(c) is not
        (System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.OtherNotAssigned
         or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator
         or System.Globalization.UnicodeCategory.PrivateUse);
}
