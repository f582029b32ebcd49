namespace ActorMlp.Cli.Settings;

/// <summary>
/// The structural checks that Akka's lenient HOCON parser skips: every brace and bracket closed by
/// its partner, every quoted string closed, no control character and none of the characters HOCON
/// forbids outside quotes. Without them a file missing a '}' would be read as
/// something else and the run would quietly use other settings.
/// </summary>
internal static class HoconSyntax
{
    /// <summary>Null when the text is well formed, otherwise what is wrong and on which line.</summary>
    public static string? Problem(string text)
    {
        // Control characters have no place in a configuration file, and Akka's parser loops for ever on some (a NUL inside a list).
        int control = text.AsSpan().IndexOfAnyInRange('\0', '\u001f');
        while (control >= 0 && text[control] is '\t' or '\n' or '\r')
        {
            int next = text.AsSpan(control + 1).IndexOfAnyInRange('\0', '\u001f');
            control = next < 0 ? -1 : control + 1 + next;
        }
        if (control >= 0 || text.Contains('\u007f'))
        {
            int at = control >= 0 ? control : text.IndexOf('\u007f');
            return $"line {text.AsSpan(0, at).Count('\n') + 1}: a control character (U+{(int)text[at]:X4}) outside any string";
        }
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
            // HOCON forbids these in unquoted text, and Akka's parser loops for ever on some of them inside a list.
            if (c is '`' or '^' or '!' or '@' or '*' or '&' or '\\'
                || c == '$' && (i + 1 >= text.Length || text[i + 1] != '{')
                || c == '?' && (i < 2 || text[i - 1] != '{' || text[i - 2] != '$')
                || c == '+' && (i + 1 >= text.Length || text[i + 1] != '=') && !(i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                return $"line {line}: '{c}' is not allowed outside a quoted string";
            if (c == '$' && i + 1 < text.Length && text[i + 1] == '{')
            {
                // Akka's parser loops for ever on an empty substitution such as "${ }".
                int name = i + 2 < text.Length && text[i + 2] == '?' ? i + 3 : i + 2;
                if (name >= text.Length || char.IsWhiteSpace(text[name]) || text[name] == '}')
                    return $"line {line}: '${{' without a path to substitute";
            }
            if (c is ':' or '=' && open.Count > 0 && open.Peek().Bracket == '[')
                return open.Peek().Line == line
                    ? $"line {line}: '{c}' inside a list (a list holds values; an object in a list goes in braces)"
                    : $"line {open.Peek().Line}: '[' is not closed before the '{c}' of line {line}";
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
