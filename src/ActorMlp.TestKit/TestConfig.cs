using Akka.Configuration;

namespace ActorMlp.TestKit;

/// <summary>The configuration the kit's nodes run on.</summary>
internal static class TestConfig
{
    /// <summary>The product's reference.conf, as this kit was built with it: the one home of every default.</summary>
    public static Config Reference() => Read("ActorMlp.TestKit.reference.conf");

    /// <summary>
    /// reference.conf with the specs' overrides on top: every message crosses its serializer
    /// (akka.actor.serialize-messages = on), timeouts are short and Akka logs warnings only.
    /// </summary>
    public static Config ForSpecs() => Read("ActorMlp.TestKit.test.conf").WithFallback(Reference());

    static Config Read(string name)
    {
        using var stream = typeof(TestConfig).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"ActorMlp.TestKit was built without its resource {name}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
