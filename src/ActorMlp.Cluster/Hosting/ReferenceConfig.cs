using Akka.Configuration;

namespace ActorMlp.Cluster.Hosting;

/// <summary>
/// hocon/reference.conf, embedded in the program so every node has it wherever it runs. It is the one
/// home of every default: the settings types read their keys strictly and carry no defaults of their own.
/// </summary>
public static class ReferenceConfig
{
    public static string Text { get; } = Read();

    public static Config Load() => ConfigurationFactory.ParseString(Text);

    static string Read()
    {
        using var stream = typeof(ReferenceConfig).Assembly.GetManifestResourceStream("actormlp.reference.conf")
            ?? throw new InvalidOperationException("reference.conf is missing from this build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
