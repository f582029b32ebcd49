using System.Text;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using YamlDotNet.RepresentationModel;

namespace ActorMlp.Cli.Tests;

/// <summary>One instruction of a Dockerfile, its continuation lines joined, in the build stage that holds it.</summary>
public sealed record DockerInstruction(string Keyword, string Arguments, int Line, string Stage);

/// <summary>One YAML document of a file under deploy/.</summary>
public sealed record YamlDocumentOf(string File, YamlMappingNode Root)
{
    public string? Kind => Root.Text("kind");
    public string? Name => Root.Text("metadata", "name");
    public override string ToString() => $"{File} {Kind} {Name}";
}

/// <summary>
/// One command line a recipe starts a container with: the actormlp command (coordinator, worker) and
/// its words, as the container's process receives them (compose's interpolation applied), plus
/// the flags a wrapping shell script adds itself.
/// </summary>
public sealed record RecipeCommand(string Where, string Command, IReadOnlyList<string> Words, IReadOnlyList<string> ScriptFlags)
{
    public IEnumerable<string> Flags => Words.Where(w => w.StartsWith("--", StringComparison.Ordinal))
        .Select(w => w.Split('=')[0]).Concat(ScriptFlags);

    /// <summary>The value after <paramref name="flag"/>, or null.</summary>
    public string? Value(string flag)
    {
        for (int i = 0; i + 1 < Words.Count; i++)
            if (Words[i] == flag) return Words[i + 1];
        return null;
    }

    public override string ToString() => Where;
}

/// <summary>
/// The container recipes under deploy/ as data: the Dockerfile's instructions, every YAML document,
/// the HOCON the Kubernetes ConfigMap carries, the pod templates and the command lines they run.
/// </summary>
public static class DeployRecipes
{
    public static string Folder { get; } = Path.Combine(Repository.Root, "deploy");
    public static string KubernetesFolder { get; } = Path.Combine(Folder, "k8s");

    /// <summary>Where the ConfigMap's HOCON is mounted in the pods.</summary>
    public const string ConfigMountPath = "/etc/actormlp";

    public static IReadOnlyList<DockerInstruction> Dockerfile() => ParseDockerfile(File.ReadAllLines(Path.Combine(Folder, "Dockerfile")));

    /// <summary>Docker's own reading: comment lines dropped (also inside a continued instruction), a trailing backslash continues.</summary>
    public static IReadOnlyList<DockerInstruction> ParseDockerfile(IReadOnlyList<string> lines)
    {
        var instructions = new List<DockerInstruction>();
        string stage = "";
        var text = new StringBuilder();
        int start = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            string line = lines[i].Trim();
            if (line.StartsWith('#') || (line.Length == 0 && text.Length == 0)) continue;
            if (text.Length == 0) start = i + 1;
            bool continues = line.EndsWith('\\');
            text.Append(continues ? line[..^1] : line).Append(' ');
            if (continues) continue;
            string whole = text.ToString().Trim();
            text.Clear();
            int space = whole.IndexOf(' ');
            string keyword = (space < 0 ? whole : whole[..space]).ToUpperInvariant();
            string arguments = space < 0 ? "" : whole[(space + 1)..].Trim();
            if (keyword == "FROM")
            {
                var words = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stage = words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? words[2] : words[0];
            }
            instructions.Add(new DockerInstruction(keyword, arguments, start, stage));
        }
        return instructions;
    }

    /// <summary>The last stage: the image that is run.</summary>
    public static IReadOnlyList<DockerInstruction> FinalStage(IReadOnlyList<DockerInstruction> dockerfile)
        => dockerfile.Where(i => i.Stage == dockerfile[^1].Stage).ToList();

    /// <summary>The ports the image declares.</summary>
    public static int[] Exposed(IReadOnlyList<DockerInstruction> dockerfile) => [.. FinalStage(dockerfile)
        .Where(i => i.Keyword == "EXPOSE")
        .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Select(p => int.Parse(p.Split('/')[0]))];

    /// <summary>A JSON-array (exec form) argument: ["a", "b"].</summary>
    public static string[] ExecForm(string arguments)
        => System.Text.Json.JsonSerializer.Deserialize<string[]>(arguments) ?? throw new FormatException($"not an exec-form list: {arguments}");

    /// <summary>Every YAML file under deploy/, relative to it.</summary>
    public static IReadOnlyList<string> YamlFiles() => Directory.EnumerateFiles(Folder, "*.*", SearchOption.AllDirectories)
        .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
        .Select(f => Path.GetRelativePath(Folder, f)).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every document of the file (a file may hold several, separated by ---).</summary>
    public static IReadOnlyList<YamlDocumentOf> Documents(string relative)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Folder, relative))) stream.Load(reader);
        return stream.Documents.Select(d => new YamlDocumentOf(relative, d.RootNode as YamlMappingNode
            ?? throw new FormatException($"{relative}: a document at line {d.RootNode.Start.Line} is not a mapping"))).ToList();
    }

    public static YamlMappingNode Compose() => Documents("compose.yaml").Single().Root;

    /// <summary>The Kubernetes objects, kustomization.yaml aside.</summary>
    public static IReadOnlyList<YamlDocumentOf> Manifests() => YamlFiles()
        .Where(f => f.StartsWith("k8s" + Path.DirectorySeparatorChar, StringComparison.Ordinal) && Path.GetFileName(f) != "kustomization.yaml")
        .SelectMany(Documents).ToList();

    public static YamlDocumentOf Single(string kind, string? name = null)
        => Assert.Single(Manifests(), d => d.Kind == kind && (name is null || d.Name == name));

    /// <summary>The HOCON file the ConfigMap carries, as the pods read it from <see cref="ConfigMountPath"/>.</summary>
    public static (string FileName, string Text) ConfigMapHocon()
    {
        var data = (YamlMappingNode)Single("ConfigMap").Root.Path("data")!;
        var (key, value) = Assert.Single(data.Children);
        return (((YamlScalarNode)key).Value!, ((YamlScalarNode)value).Value!);
    }

    /// <summary>The workload objects that start pods, with their pod template.</summary>
    public static IReadOnlyList<(YamlDocumentOf Workload, YamlMappingNode Template)> PodTemplates()
        => Manifests().Where(d => d.Kind is "Job" or "Deployment" or "StatefulSet" or "DaemonSet")
            .Select(d => (d, (YamlMappingNode)d.Root.Path("spec", "template")!)).ToList();

    public static IReadOnlyList<YamlMappingNode> Containers(YamlMappingNode template)
        => ((YamlSequenceNode)template.Path("spec", "containers")!).Children.Cast<YamlMappingNode>().ToList();

    /// <summary>The labels of a pod template or the matchLabels/selector of a Service or budget.</summary>
    public static Dictionary<string, string> Labels(YamlNode? node) => node is YamlMappingNode map
        ? map.Children.ToDictionary(c => ((YamlScalarNode)c.Key).Value!, c => ((YamlScalarNode)c.Value).Value!)
        : [];

    /// <summary>A Kubernetes equality-based label selector ("a=b,c==d,e!=f"); a set-based one fails the test that reads it.</summary>
    public static bool Selects(string selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var term in selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var m = Regex.Match(term, "^([A-Za-z0-9./_-]+)\\s*(!=|==|=)\\s*([A-Za-z0-9._-]*)$");
            Assert.True(m.Success, $"'{term}' is not an equality-based label selector term");
            bool has = labels.TryGetValue(m.Groups[1].Value, out var value) && value == m.Groups[3].Value;
            if (has == (m.Groups[2].Value == "!=")) return false;
        }
        return true;
    }

    /// <summary>The actormlp command lines of compose.yaml's services and of the Kubernetes containers.</summary>
    public static IReadOnlyList<RecipeCommand> CommandLines()
    {
        string entryPoint = string.Join(' ', ExecForm(Assert.Single(FinalStage(Dockerfile()), i => i.Keyword == "ENTRYPOINT").Arguments));
        var commands = new List<RecipeCommand>();
        var services = (YamlMappingNode)Compose().Path("services")!;
        foreach (var (name, node) in services.Children)
        {
            var service = (YamlMappingNode)node;
            commands.Add(Command(entryPoint, $"compose.yaml service {name}", Words(service.Path("entrypoint")).Select(Interpolate).ToList(),
                Words(service.Path("command")).Select(Interpolate).ToList()));
        }
        foreach (var (workload, template) in PodTemplates())
            foreach (var container in Containers(template))
                commands.Add(Command(entryPoint, $"{workload.File} container {container.Text("name")}", Words(container.Path("command")),
                    Words(container.Path("args"))));
        return commands;
    }

    /// <summary>
    /// The image's entry point (an empty <paramref name="command"/>), or a shell script that ends in
    /// `exec ENTRYPOINT VERB "$@"` and receives the arguments.
    /// </summary>
    static RecipeCommand Command(string entryPoint, string where, IReadOnlyList<string> command, IReadOnlyList<string> args)
    {
        if (command.Count == 0)
            return new RecipeCommand(where, args.Count > 0 ? args[0] : "", args.Skip(1).ToList(), []);
        Assert.True(command.Count >= 3 && command[0] == "/bin/sh" && command[1] == "-c", $"{where}: the command is neither the image's entry point nor /bin/sh -c SCRIPT");
        string script = command[2];
        var verb = Regex.Match(script, $@"exec {Regex.Escape(entryPoint)} (\w+) ");
        Assert.True(verb.Success, $"{where}: its script does not exec the Dockerfile's entry point ({entryPoint}) with a command");
        var scriptFlags = Regex.Matches(script, @"(?<![\w-])--[a-z][a-z0-9-]*").Select(m => m.Value).Distinct().ToList();
        // sh -c SCRIPT NAME ARGS...: NAME is $0, then the arguments, which compose's command and Kubernetes' args append.
        return new RecipeCommand(where, verb.Groups[1].Value, [.. command.Skip(4), .. args], scriptFlags);
    }

    static List<string> Words(YamlNode? node) => node switch
    {
        null => [],
        YamlSequenceNode list => list.Children.Select(c => ((YamlScalarNode)c).Value!).ToList(),
        YamlScalarNode scalar => throw new FormatException($"line {scalar.Start.Line}: give the command as a list, not the string '{scalar.Value}'"),
        _ => throw new FormatException($"line {node.Start.Line}: a command is a list of words"),
    };

    /// <summary>Compose's interpolation with nothing set in the environment: $$ is a dollar, ${NAME:-DEFAULT} the default.</summary>
    public static string Interpolate(string text)
    {
        string replaced = Regex.Replace(text, @"\$\$|\$\{(\w+)(?::?-([^}]*))?\}", m => m.Value == "$$" ? "\u0001" : m.Groups[2].Value);
        Assert.DoesNotMatch(@"\$\w", replaced.Replace("\u0001", ""));
        return replaced.Replace('\u0001', '$');
    }

    /// <summary>Every key of a HOCON object that holds a value (lists count as values), dotted.</summary>
    public static IEnumerable<string> Leaves(Config config)
    {
        var leaves = new List<string>();
        foreach (var (name, value) in config.Root.GetObject().Items) Walk(value, name, leaves);
        return leaves;
    }

    static void Walk(HoconValue value, string path, List<string> leaves)
    {
        if (!value.IsObject()) { leaves.Add(path); return; }
        foreach (var (name, child) in value.GetObject().Items) Walk(child, $"{path}.{name}", leaves);
    }
}

/// <summary>Short paths through YamlDotNet's node model.</summary>
public static class YamlPaths
{
    public static YamlNode? Path(this YamlNode node, params string[] keys)
    {
        YamlNode? current = node;
        foreach (var key in keys)
            current = current is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;
        return current;
    }

    public static string? Text(this YamlNode node, params string[] keys) => (node.Path(keys) as YamlScalarNode)?.Value;
}
