using System.Text;
using System.Text.Json;
using ActorMlp.Cli.CommandLine;
using Akka.Configuration;

namespace ActorMlp.Cli.Settings;

/// <summary>
/// Builds the effective configuration: command-line flags over --config files (a later file wins)
/// over hocon/reference.conf, which is embedded in the program so it runs from any folder. An actormlp.*
/// key that reference.conf does not define is refused, naming the nearest one that it does.
/// </summary>
internal static class ConfigLoader
{
    static readonly TimeSpan ParseTimeout = TimeSpan.FromSeconds(5);

    public static Config Reference() => ReferenceConfig.Load();

    public static Config Load(ParsedArguments args, IReadOnlyList<Option> options)
    {
        var config = Reference();
        var known = new KnownKeys(config);
        foreach (var file in args.ConfigFiles)
        {
            string text;
            try { text = File.ReadAllText(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"cannot read config file {file}: {e.Message}", e);
            }
            if (HoconSyntax.Problem(text) is { } problem)
                throw new UsageException($"config file {file} is not valid HOCON: {problem}");
            var parsing = Task.Run(() => ConfigurationFactory.ParseString(text));
            // Akka's parser has looped for ever on inputs our syntax check did not foresee; a stuck parse is a refusal, not a hang.
            try
            {
                if (!parsing.Wait(ParseTimeout))
                    throw new UsageException($"config file {file} could not be parsed within {ParseTimeout.TotalSeconds:F0} s; it is not HOCON this program can read");
            }
            catch (AggregateException e)
            {
                throw new UsageException($"config file {file} is not valid HOCON: {e.GetBaseException().Message.Split('\n')[0].Trim()}", e.GetBaseException());
            }
            var parsed = parsing.Result;
            if (known.FirstUnknown(parsed) is var (key, nearest))
                throw new UsageException($"config file {file} sets {ActorMlp.Data.Excerpt.Of(key, ActorMlp.Data.Excerpt.Name)}, which is not a setting; did you mean {nearest}? (hocon/reference.conf lists every key)");
            config = parsed.WithFallback(config);
        }
        var overrides = new StringBuilder();
        foreach (var (flag, value) in args.Values)
        {
            var option = options.First(o => o.Flag == flag);
            if (option.Key is null) continue;
            overrides.Append(option.Key).Append(" = ").AppendLine(option.IsList ? ListLiteral(flag, value) : JsonSerializer.Serialize(value));
        }
        return overrides.Length == 0 ? config : ConfigurationFactory.ParseString(overrides.ToString()).WithFallback(config);
    }

    /// <summary>Whether a flag or a --config file sets <paramref name="key"/>, rather than reference.conf alone (files already read by <see cref="Load"/>).</summary>
    public static bool SetsKey(ParsedArguments args, IReadOnlyList<Option> options, string key)
        => args.Values.Any(v => options.FirstOrDefault(o => o.Flag == v.Key)?.Key == key)
           || args.ConfigFiles.Any(file => ConfigurationFactory.ParseString(File.ReadAllText(file)).HasPath(key));

    static string ListLiteral(string flag, string value)
    {
        var items = value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return "[" + string.Join(", ", items.Select(i => JsonSerializer.Serialize(i))) + "]";
    }
}
