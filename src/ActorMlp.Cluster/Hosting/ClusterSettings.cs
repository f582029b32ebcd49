using ActorMlp.Cluster.Security;
using ActorMlp.Data;
using Akka.Configuration;

namespace ActorMlp.Cluster.Hosting;

public enum TensorLinkKind { Socket, Akka }

/// <summary>
/// Where gradients are combined: star, at the coordinator, which sends every worker the weights each
/// step; peer, among the workers, each reducing one slice and keeping its own replica of the trainer.
/// </summary>
public enum ReductionKind { Star, Peer }

/// <summary>How tensors are encoded on the socket link: 4-byte floats, or bfloat16 at half the bytes.</summary>
public enum WirePrecision { Fp32, Bf16 }

/// <summary>The actormlp.cluster section of the configuration (see hocon/reference.conf).</summary>
public sealed record ClusterSettings
{
    // No defaults here: hocon/reference.conf is their one home, and From reads every key strictly.
    public required TensorLinkKind TensorLink { get; init; }
    public required ReductionKind Reduction { get; init; }
    public required WirePrecision WirePrecision { get; init; }
    public required string TensorHost { get; init; }
    public required int TensorPort { get; init; }

    /// <summary>The host workers are told to connect to; empty: the node's Akka advertised hostname (<see cref="TensorAddress"/>).</summary>
    public required string TensorPublicHost { get; init; }

    /// <summary>The port workers are told to connect to; 0: the port the endpoint bound.</summary>
    public required int TensorPublicPort { get; init; }
    public required int ChunkBytes { get; init; }
    public required int SocketBufferBytes { get; init; }
    public required int MinWorkers { get; init; }
    public required TimeSpan RegisterInterval { get; init; }
    public required TimeSpan StartTimeout { get; init; }
    public required TimeSpan DeadlineFloor { get; init; }
    public required double DeadlineFactor { get; init; }
    public required TimeSpan NoWorkerTimeout { get; init; }
    public required TimeSpan JoinTimeout { get; init; }

    /// <summary>A worker whose median compute time over the last StragglerWindow steps is StragglerFactor × the others' is named in a warning.</summary>
    public required double StragglerFactor { get; init; }
    public required int StragglerWindow { get; init; }

    /// <summary>The fraction of the subtrees workers send that the coordinator computes again and compares bit for bit (0: none).</summary>
    public required double VerifyFraction { get; init; }

    /// <summary>The cluster's authority and this node's certificate when actormlp.security.tls is on: every connection is mutual TLS.</summary>
    public NodeTrust? Trust { get; init; }

    /// <summary>How a worker finds the cluster (actormlp.discovery).</summary>
    public required DiscoverySettings Discovery { get; init; }

    /// <summary>Reads the section; throws <see cref="ArgumentException"/> naming the key at fault, or a key that is missing.</summary>
    public static ClusterSettings From(Config config)
    {
        const string p = "actormlp.cluster.";
        string link = Text(config, p + "tensor-link").Trim().ToLowerInvariant();
        string precision = Text(config, p + "wire-precision").Trim().ToLowerInvariant();
        string reduction = Text(config, p + "reduction").Trim().ToLowerInvariant();
        var settings = new ClusterSettings
        {
            TensorLink = link switch
            {
                "socket" => TensorLinkKind.Socket,
                "akka" => TensorLinkKind.Akka,
                _ => throw new ArgumentException($"{p}tensor-link must be socket or akka, got '{Excerpt.Of(link)}'"),
            },
            Reduction = reduction switch
            {
                "star" => ReductionKind.Star,
                "peer" => ReductionKind.Peer,
                _ => throw new ArgumentException($"{p}reduction must be star or peer, got '{Excerpt.Of(reduction)}'"),
            },
            WirePrecision = precision switch
            {
                "fp32" => WirePrecision.Fp32,
                "bf16" => WirePrecision.Bf16,
                _ => throw new ArgumentException($"{p}wire-precision must be fp32 or bf16, got '{Excerpt.Of(precision)}'"),
            },
            TensorHost = Text(config, p + "tensor-host"),
            TensorPort = Read(config, p + "tensor-port", k => config.GetInt(k)),
            TensorPublicHost = Text(config, p + "tensor-public-host").Trim(),
            TensorPublicPort = Read(config, p + "tensor-public-port", k => config.GetInt(k)),
            Discovery = DiscoverySettings.From(config),
            ChunkBytes = Read(config, p + "chunk-bytes", k => config.GetInt(k)),
            SocketBufferBytes = Read(config, p + "socket-buffer-bytes", k => config.GetInt(k)),
            MinWorkers = Read(config, p + "min-workers", k => config.GetInt(k)),
            RegisterInterval = Read(config, p + "register-interval", k => config.GetTimeSpan(k)),
            StartTimeout = Read(config, p + "start-timeout", k => config.GetTimeSpan(k)),
            DeadlineFloor = Read(config, p + "step-deadline-floor", k => config.GetTimeSpan(k)),
            DeadlineFactor = Read(config, p + "step-deadline-factor", k => config.GetDouble(k)),
            NoWorkerTimeout = Read(config, p + "no-worker-timeout", k => config.GetTimeSpan(k)),
            JoinTimeout = Read(config, p + "join-timeout", k => config.GetTimeSpan(k)),
            StragglerFactor = Read(config, p + "straggler-factor", k => config.GetDouble(k)),
            StragglerWindow = Read(config, p + "straggler-window", k => config.GetInt(k)),
            VerifyFraction = Read(config, p + "verify-fraction", k => config.GetDouble(k)),
        };
        settings = settings with { Trust = ReadTrust(config) };
        if (settings.Reduction == ReductionKind.Peer && settings.TensorLink != TensorLinkKind.Socket)
            throw new ArgumentException($"{p}reduction peer needs {p}tensor-link socket: workers send tensors to each other's endpoints");
        if (settings.WirePrecision == WirePrecision.Bf16 && settings.TensorLink != TensorLinkKind.Socket)
            throw new ArgumentException($"{p}wire-precision bf16 needs {p}tensor-link socket");
        if (!(settings.VerifyFraction is >= 0 and <= 1)) throw new ArgumentException($"{p}verify-fraction must be between 0 and 1, got {settings.VerifyFraction}");
        if (settings.VerifyFraction > 0 && settings.Reduction == ReductionKind.Peer)
            throw new ArgumentException($"{p}verify-fraction needs {p}reduction star: in a peer run no one node sees the workers' subtrees whole");
        if (settings.DeadlineFactor < 1) throw new ArgumentException($"{p}step-deadline-factor must be at least 1, got {settings.DeadlineFactor}");
        if (!(settings.StragglerFactor > 1)) throw new ArgumentException($"{p}straggler-factor must be above 1, got {settings.StragglerFactor}");
        if (settings.StragglerWindow < 2) throw new ArgumentException($"{p}straggler-window must be at least 2, got {settings.StragglerWindow}");
        if (settings.DeadlineFloor <= TimeSpan.Zero) throw new ArgumentException($"{p}step-deadline-floor must be positive");
        long frame = config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? 128000;
        if (settings.ChunkBytes < 4 || settings.ChunkBytes > frame - 1024)
            throw new ArgumentException($"{p}chunk-bytes must be between 4 and the remoting frame size less 1 KiB ({frame - 1024}), got {settings.ChunkBytes}");
        if (settings.TensorPort is < 0 or > 65535) throw new ArgumentException($"{p}tensor-port must be 0..65535, got {settings.TensorPort}");
        if (settings.TensorPublicPort is < 0 or > 65535) throw new ArgumentException($"{p}tensor-public-port must be 0..65535, got {settings.TensorPublicPort}");
        if (settings.TensorPublicHost.Length > 0 && System.Net.IPAddress.TryParse(settings.TensorPublicHost, out var any)
            && (any.Equals(System.Net.IPAddress.Any) || any.Equals(System.Net.IPAddress.IPv6Any)))
            throw new ArgumentException($"{p}tensor-public-host must be an address workers connect to, not the wildcard {settings.TensorPublicHost} (that is for tensor-host)");
        if (settings.MinWorkers < 1) throw new ArgumentException($"{p}min-workers must be at least 1, got {settings.MinWorkers}");
        if (settings.SocketBufferBytes < 4096) throw new ArgumentException($"{p}socket-buffer-bytes must be at least 4096");
        return settings;
    }

    /// <summary>A key's text; an object or a list where text belongs is refused by name (Akka reads it as null).</summary>
    static string Text(Config config, string key)
        => Read(config, key, k => config.GetString(k)) ?? throw new ArgumentException($"{key} must be a value, not an object or a list");

    /// <summary>A key that must be present: the reference configuration always has it, so its absence is a broken setup, not a default.</summary>
    static T Read<T>(Config config, string key, Func<string, T> get)
        => config.HasPath(key) ? get(key) : throw new ArgumentException($"configuration key {key} is missing");

    static NodeTrust? ReadTrust(Config config)
    {
        const string s = "actormlp.security.";
        string tls = Text(config, s + "tls").Trim().ToLowerInvariant();
        if (tls is "off" or "false" or "no") return null;
        if (tls is not ("on" or "true" or "yes")) throw new ArgumentException($"{s}tls must be on or off, got '{Excerpt.Of(tls)}'");
        string ca = Text(config, s + "ca"), certificate = Text(config, s + "certificate");
        if (string.IsNullOrWhiteSpace(ca) || string.IsNullOrWhiteSpace(certificate))
            throw new ArgumentException($"{s}tls = on needs {s}ca (--tls-ca) and {s}certificate (--tls-certificate); `actormlp certs create` makes both");
        return NodeTrust.Load(ca, certificate, Text(config, s + "certificate-password"), s);
    }
}
