using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace ActorMlp.Cli.Settings;

/// <summary>
/// The actormlp.* keys reference.conf defines. A config file that sets any other actormlp.* key is
/// refused with the nearest known name, since a misspelt key would otherwise leave its default in
/// force without a word. Keys outside actormlp (Akka's own) are left to Akka.
/// </summary>
internal sealed class KnownKeys
{
    const string Section = "actormlp";

    /// <summary>Sections whose contents are not ours to list: an Akka dispatcher takes any of Akka's dispatcher keys.</summary>
    static readonly string[] OpenSections = ["actormlp.cluster.worker-dispatcher"];

    readonly HashSet<string> _leaves;
    readonly HashSet<string> _sections;

    public KnownKeys(Config reference)
    {
        _leaves = Leaves(reference, _ => false).ToHashSet(StringComparer.Ordinal);
        _sections = _leaves.SelectMany(Sections).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The first actormlp.* key of <paramref name="file"/> that reference.conf does not define, with the nearest one it does; null when all are known.</summary>
    public (string Key, string Nearest)? FirstUnknown(Config file)
    {
        // A known key is not descended into (an object where a value belongs is the typed reader's to
        // refuse), nor is one with no known key below it. The walk stays within reference.conf's shape,
        // which matters: Akka reads an unresolved substitution as an object that holds itself.
        foreach (var key in Leaves(file, path => _leaves.Contains(path) || !_sections.Contains(path)))
        {
            if (_leaves.Contains(key) || OpenSections.Any(s => key.StartsWith(s + ".", StringComparison.Ordinal))) continue;
            return (key, Nearest(key));
        }
        return null;
    }

    /// <summary>Every key under actormlp that holds a value (a list counts as a value) or where <paramref name="stop"/> says so, in file order.</summary>
    static List<string> Leaves(Config config, Func<string, bool> stop)
    {
        var leaves = new List<string>();
        if (!config.IsEmpty && config.HasPath(Section)) Walk(config.GetValue(Section), Section, stop, leaves);
        return leaves;
    }

    static void Walk(HoconValue value, string path, Func<string, bool> stop, List<string> leaves)
    {
        if (!value.IsObject() || stop(path) || OpenSections.Contains(path))
        {
            leaves.Add(path);
            return;
        }
        foreach (var (name, child) in value.GetObject().Items) Walk(child, $"{path}.{name}", stop, leaves);
    }

    /// <summary>actormlp.a.b.c lies in the sections actormlp, actormlp.a and actormlp.a.b.</summary>
    static IEnumerable<string> Sections(string key)
    {
        for (int dot = key.IndexOf('.'); dot > 0; dot = key.IndexOf('.', dot + 1)) yield return key[..dot];
    }

    /// <summary>The known key or section (a misspelt section stops the walk) nearest to <paramref name="key"/>.</summary>
    string Nearest(string key) => _leaves.Concat(_sections).Where(known => known != Section)
        .OrderBy(known => Distance(key, known)).ThenBy(known => known, StringComparer.Ordinal).First();

    /// <summary>Levenshtein distance over whole dotted names; a dozen lines run once per refused key, not worth a package.</summary>
    static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
