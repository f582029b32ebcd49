namespace ActorMlp.Cli.Settings;

/// <summary>
/// The structural checks that Akka's lenient HOCON parser skips: every brace and bracket closed by
/// its partner, every quoted string closed. Without them a file missing a '}' would be read as
/// something else and the run would quietly use other settings.
/// </summary>
public static class HoconSyntax
{
    /// <summary>Null when the text is well formed, otherwise what is wrong and on which line.</summary>
    public static string? Problem(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        int line = 1;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n') { line++; continue; }
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i + 1 < text.Length && text[i + 1] != '\n') i++;
                continue;
            }
            if (c == '"')
            {
                if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
                {
                    int end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0) return $"line {line}: a \"\"\" string is never closed";
                    line += text.AsSpan(i, end - i).Count('\n');
                    i = end + 2;
                    continue;
                }
                int start = line;
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\') i++;
                    else if (text[i] == '\n') return $"line {start}: a quoted string is not closed on its line";
                }
                if (i >= text.Length) return $"line {start}: a quoted string is never closed";
                continue;
            }
            if (c is '{' or '[') open.Push((c, line));
            else if (c is '}' or ']')
            {
                if (open.Count == 0) return $"line {line}: '{c}' closes nothing";
                var (bracket, opened) = open.Pop();
                if ((bracket == '{') != (c == '}')) return $"line {line}: '{c}' closes the '{bracket}' of line {opened}";
            }
        }
        return open.Count == 0 ? null : $"line {open.Peek().Line}: '{open.Peek().Bracket}' is never closed";
    }
}
