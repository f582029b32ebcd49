using ActorMlp.Cluster.Protocol;
using Akka.Actor;
using Akka.Serialization;
using MessagePack;
using MessagePack.Resolvers;

namespace ActorMlp.Cluster.Serialization;

/// <summary>
/// MessagePack for every protocol message, told apart by a short manifest. Byte arrays (tensor
/// chunks) are written as MessagePack bin blocks, one copy, never element by element.
/// </summary>
internal sealed class ProtocolSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    static readonly (string Manifest, Type Type)[] Types =
    [
        ("rw", typeof(RegisterWorker)),
        ("wa", typeof(WorkerAccepted)),
        ("wr", typeof(WorkerRefused)),
        ("tf", typeof(TensorLinkFailed)),
        ("sw", typeof(StopWorking)),
        ("cl", typeof(ComputeLeaves)),
        ("tc", typeof(TensorChunk)),
        ("pr", typeof(WorkerReady)),
        ("pp", typeof(PauseTraining)),
        ("pv", typeof(InstallView)),
        ("pf", typeof(StepFailed)),
        ("pj", typeof(RejoinRun)),
        ("gs", typeof(GetStatus)),
        ("st", typeof(StatusReported)),
        ("do", typeof(DataOffered)),
    ];

    static readonly Dictionary<Type, string> ManifestOf = Types.ToDictionary(t => t.Type, t => t.Manifest);
    static readonly Dictionary<string, Type> TypeOf = Types.ToDictionary(t => t.Manifest, t => t.Type);
    // The messages are internal types, which only the resolver that allows non-public types builds
    // formatters for; it writes the same bytes as the standard one.
    static readonly MessagePackSerializerOptions Options = StandardResolverAllowPrivate.Options.WithSecurity(MessagePackSecurity.UntrustedData);

    public override int Identifier => 4711;

    /// <summary>
    /// Builds every message type's formatter now (MessagePack emits them at first use), so the first
    /// messages of a run do not wait for it; a process that is about to start nodes calls it on a spare core.
    /// </summary>
    public static void PrepareFormatters()
    {
        foreach (var (_, type) in Types) Options.Resolver.GetFormatterDynamic(type);
    }

    public override string Manifest(object o) => ManifestOf.TryGetValue(o.GetType(), out var m) ? m
        : throw new ArgumentException($"{o.GetType()} is not an ActorMlp protocol message");

    public override byte[] ToBinary(object obj) => MessagePackSerializer.Serialize(obj.GetType(), obj, Options);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        if (!TypeOf.TryGetValue(manifest, out var type))
            throw new System.Runtime.Serialization.SerializationException($"unknown ActorMlp manifest '{manifest}'");
        return MessagePackSerializer.Deserialize(type, bytes, Options)
            ?? throw new System.Runtime.Serialization.SerializationException($"empty ActorMlp message '{manifest}'");
    }
}
