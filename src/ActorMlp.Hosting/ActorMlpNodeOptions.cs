using System.Globalization;
using System.Text;
using System.Text.Json;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Hosting.Settings;
using Akka.Configuration;

namespace ActorMlp.Hosting;

/// <summary>
/// What every hosted node is given, bindable from <c>IConfiguration</c> (appsettings.json). Each option
/// sets one HOCON key; an option left null keeps hocon/reference.conf's default, so the strict settings
/// readers see one merged configuration, as they do for the actormlp command.
/// </summary>
public abstract class ActorMlpNodeOptions
{
    /// <summary>The data set (actormlp.data.spec): digits, fashion-mnist, idx:DIR or csv:PATH; a worker may say from-coordinator.</summary>
    public string? Data { get; set; }

    /// <summary>Where data sets are looked for (actormlp.data.dir).</summary>
    public string? DataDir { get; set; }

    /// <summary>The address remoting binds (akka.remote.dot-netty.tcp.hostname).</summary>
    public string? Hostname { get; set; }

    /// <summary>The port remoting binds (akka.remote.dot-netty.tcp.port); 0 picks a free one.</summary>
    public int? Port { get; set; }

    /// <summary>Threads the node computes with (actormlp.train.threads-per-worker).</summary>
    public int? Threads { get; set; }

    /// <summary>Further HOCON for any other key (actormlp.optimizer.kind = adam, actormlp.security.*), beneath the options above.</summary>
    public string? Hocon { get; set; }

    /// <summary>The options this type adds: its name, the key it sets and its value (null: not set).</summary>
    private protected abstract IEnumerable<(string Option, string Key, object? Value)> Own();

    IEnumerable<(string Option, string Key, object? Value)> All() =>
    [
        (nameof(Data), "actormlp.data.spec", Data),
        (nameof(DataDir), "actormlp.data.dir", DataDir),
        (nameof(Hostname), "akka.remote.dot-netty.tcp.hostname", Hostname),
        (nameof(Port), "akka.remote.dot-netty.tcp.port", Port),
        (nameof(Threads), "actormlp.train.threads-per-worker", Threads),
        .. Own(),
    ];

    /// <summary>Whether an option sets <paramref name="key"/>.</summary>
    internal bool Sets(string key) => All().Any(o => o.Key == key && o.Value is not null);

    /// <summary>The option that sets <paramref name="key"/>, for the settings' error sentences; null for a key no option sets.</summary>
    internal string? OptionOf(string key) => All().FirstOrDefault(o => o.Key == key).Option;

    /// <summary>The keys the options set, as HOCON, over <see cref="Hocon"/>; without reference.conf.</summary>
    internal Config OwnConfig()
    {
        var text = new StringBuilder();
        foreach (var (_, key, value) in All())
            if (value is not null) text.Append(key).Append(" = ").AppendLine(Literal(value));
        var own = ConfigurationFactory.ParseString(text.ToString());
        if (string.IsNullOrWhiteSpace(Hocon)) return own;
        try { return own.WithFallback(ConfigurationFactory.ParseString(Hocon)); }
        catch (Exception e) { throw new UsageException($"{nameof(Hocon)} is not valid HOCON: {e.GetBaseException().Message.Split('\n')[0].Trim()}", e); }
    }

    /// <summary>The node's whole configuration: <see cref="OwnConfig"/> over hocon/reference.conf.</summary>
    internal Config ToConfig() => OwnConfig().WithFallback(ReferenceConfig.Load());

    static string Literal(object value) => value switch
    {
        string s => JsonSerializer.Serialize(s),
        IEnumerable<string> list => "[" + string.Join(", ", list.Select(i => JsonSerializer.Serialize(i))) + "]",
        IEnumerable<int> list => "[" + string.Join(", ", list.Select(i => i.ToString(CultureInfo.InvariantCulture))) + "]",
        IFormattable f => JsonSerializer.Serialize(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonSerializer.Serialize(value.ToString()),
    };
}
