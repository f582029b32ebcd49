using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace ActorMlp.Cli.Settings;

/// <summary>
/// Writes the effective value of every key of a section of reference.conf as HOCON that reads back
/// to the same settings: the run folder's config.conf, usable again with --config.
/// </summary>
internal static partial class HoconWriter
{
    public static string Write(Config effective, Config reference, string section)
    {
        var text = new StringBuilder();
        Write(effective, reference.GetValue(section), section, section, 0, text);
        return text.ToString();
    }

    static void Write(Config effective, Akka.Configuration.Hocon.HoconValue shape, string path, string key, int depth, StringBuilder text)
    {
        var indent = new string(' ', 2 * depth);
        if (shape.IsObject())
        {
            text.Append(indent).Append(key).Append(" {\n");
            foreach (var (name, child) in shape.GetObject().Items)
                Write(effective, child, $"{path}.{name}", name, depth + 1, text);
            text.Append(indent).Append("}\n");
            return;
        }
        text.Append(indent).Append(key).Append(" = ").Append(Value(effective.GetValue(path))).Append('\n');
    }

    static string Value(Akka.Configuration.Hocon.HoconValue value)
    {
        if (value.IsArray()) return "[" + string.Join(", ", value.GetArray().Select(Value)) + "]";
        if (value.IsString()) return Scalar(value.GetString() ?? "");
        return "[]";
    }

    static string Scalar(string s) => Number().IsMatch(s) ? s : JsonSerializer.Serialize(s);

    [GeneratedRegex(@"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex Number();
}
