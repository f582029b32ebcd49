namespace ActorMlp.Cli.CommandLine;

/// <summary>
/// The flags of one command as given: values by flag, config files in order, whether help was asked,
/// and the words that are not flags (only for a command that takes them, such as plot's run folders).
/// </summary>
internal sealed record ParsedArguments(IReadOnlyDictionary<string, string> Values, IReadOnlyList<string> ConfigFiles, bool Help,
    IReadOnlyList<string>? Operands = null)
{
    public string? Get(string flag) => Values.TryGetValue(flag, out var v) ? v : null;
}

/// <summary>
/// Reads "--flag value" and "--flag=value" pairs, refusing unknown and repeated flags, and words that are
/// not flags unless the command takes operands.
/// </summary>
internal static class ArgumentParser
{
    public static ParsedArguments Parse(string command, IReadOnlyList<string> args, IReadOnlyList<Option> options, bool operands = false)
    {
        var values = new Dictionary<string, string>();
        var configs = new List<string>();
        var words = new List<string>();
        bool help = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg is "-h" or "--help") { help = true; continue; }
            if (operands && !arg.StartsWith("--")) { words.Add(arg); continue; }
            if (!arg.StartsWith("--"))
                throw new UsageException($"unexpected argument '{ActorMlp.Data.Excerpt.Of(arg, ActorMlp.Data.Excerpt.Name)}' for {command}; flags start with -- (see actormlp {command} --help)");
            string flag = arg, value;
            int eq = arg.IndexOf('=');
            if (eq > 0) { flag = arg[..eq]; value = arg[(eq + 1)..]; }
            else
            {
                if (i + 1 >= args.Count) throw new UsageException($"flag {flag} needs a value");
                value = args[++i];
            }
            var option = options.FirstOrDefault(o => o.Flag == flag)
                ?? throw new UsageException($"unknown flag {flag} for {command} (see actormlp {command} --help)");
            if (flag == "--config") { configs.Add(value); continue; }
            if (!values.TryAdd(flag, value)) throw new UsageException($"flag {flag} is given twice");
        }
        return new ParsedArguments(values, configs, help, words);
    }
}
