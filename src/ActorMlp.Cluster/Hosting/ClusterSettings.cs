using ActorMlp.Cluster.Security;
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
    public TensorLinkKind TensorLink { get; init; } = TensorLinkKind.Socket;
    public ReductionKind Reduction { get; init; } = ReductionKind.Star;
    public WirePrecision WirePrecision { get; init; } = WirePrecision.Fp32;
    public string TensorHost { get; init; } = "";
    public int TensorPort { get; init; }
    public int ChunkBytes { get; init; } = 64 * 1024;
    public int SocketBufferBytes { get; init; } = 4 << 20;
    public int MinWorkers { get; init; } = 1;
    public TimeSpan RegisterInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan DeadlineFloor { get; init; } = TimeSpan.FromSeconds(2);
    public double DeadlineFactor { get; init; } = 4;
    public TimeSpan NoWorkerTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A worker whose median compute time over the last StragglerWindow steps is StragglerFactor × the others' is named in a warning.</summary>
    public double StragglerFactor { get; init; } = 2;
    public int StragglerWindow { get; init; } = 50;

    /// <summary>The cluster's authority and this node's certificate when actormlp.security.tls is on: every connection is mutual TLS.</summary>
    public NodeTrust? Trust { get; init; }

    /// <summary>Reads the section; throws <see cref="ArgumentException"/> naming the key at fault.</summary>
    public static ClusterSettings From(Config config)
    {
        const string p = "actormlp.cluster.";
        string link = Text(config, p + "tensor-link", "socket").Trim().ToLowerInvariant();
        string precision = Text(config, p + "wire-precision", "fp32").Trim().ToLowerInvariant();
        string reduction = Text(config, p + "reduction", "star").Trim().ToLowerInvariant();
        var settings = new ClusterSettings
        {
            TensorLink = link switch
            {
                "socket" => TensorLinkKind.Socket,
                "akka" => TensorLinkKind.Akka,
                _ => throw new ArgumentException($"{p}tensor-link must be socket or akka, got '{link}'"),
            },
            Reduction = reduction switch
            {
                "star" => ReductionKind.Star,
                "peer" => ReductionKind.Peer,
                _ => throw new ArgumentException($"{p}reduction must be star or peer, got '{reduction}'"),
            },
            WirePrecision = precision switch
            {
                "fp32" => WirePrecision.Fp32,
                "bf16" => WirePrecision.Bf16,
                _ => throw new ArgumentException($"{p}wire-precision must be fp32 or bf16, got '{precision}'"),
            },
            TensorHost = Text(config, p + "tensor-host", ""),
            TensorPort = config.GetInt(p + "tensor-port", 0),
            ChunkBytes = config.GetInt(p + "chunk-bytes", 64 * 1024),
            SocketBufferBytes = config.GetInt(p + "socket-buffer-bytes", 4 << 20),
            MinWorkers = config.GetInt(p + "min-workers", 1),
            RegisterInterval = config.GetTimeSpan(p + "register-interval", TimeSpan.FromSeconds(1)),
            StartTimeout = config.GetTimeSpan(p + "start-timeout", TimeSpan.FromSeconds(60)),
            DeadlineFloor = config.GetTimeSpan(p + "step-deadline-floor", TimeSpan.FromSeconds(2)),
            DeadlineFactor = config.GetDouble(p + "step-deadline-factor", 4),
            NoWorkerTimeout = config.GetTimeSpan(p + "no-worker-timeout", TimeSpan.FromMinutes(10)),
            JoinTimeout = config.GetTimeSpan(p + "join-timeout", TimeSpan.FromSeconds(30)),
            StragglerFactor = config.GetDouble(p + "straggler-factor", 2),
            StragglerWindow = config.GetInt(p + "straggler-window", 50),
        };
        settings = settings with { Trust = ReadTrust(config) };
        if (settings.Reduction == ReductionKind.Peer && settings.TensorLink != TensorLinkKind.Socket)
            throw new ArgumentException($"{p}reduction peer needs {p}tensor-link socket: workers send tensors to each other's endpoints");
        if (settings.WirePrecision == WirePrecision.Bf16 && settings.TensorLink != TensorLinkKind.Socket)
            throw new ArgumentException($"{p}wire-precision bf16 needs {p}tensor-link socket");
        if (settings.DeadlineFactor < 1) throw new ArgumentException($"{p}step-deadline-factor must be at least 1, got {settings.DeadlineFactor}");
        if (!(settings.StragglerFactor > 1)) throw new ArgumentException($"{p}straggler-factor must be above 1, got {settings.StragglerFactor}");
        if (settings.StragglerWindow < 2) throw new ArgumentException($"{p}straggler-window must be at least 2, got {settings.StragglerWindow}");
        if (settings.DeadlineFloor <= TimeSpan.Zero) throw new ArgumentException($"{p}step-deadline-floor must be positive");
        long frame = config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? 128000;
        if (settings.ChunkBytes < 4 || settings.ChunkBytes > frame - 1024)
            throw new ArgumentException($"{p}chunk-bytes must be between 4 and the remoting frame size less 1 KiB ({frame - 1024}), got {settings.ChunkBytes}");
        if (settings.TensorPort is < 0 or > 65535) throw new ArgumentException($"{p}tensor-port must be 0..65535, got {settings.TensorPort}");
        if (settings.MinWorkers < 1) throw new ArgumentException($"{p}min-workers must be at least 1, got {settings.MinWorkers}");
        if (settings.SocketBufferBytes < 4096) throw new ArgumentException($"{p}socket-buffer-bytes must be at least 4096");
        return settings;
    }

    /// <summary>A key's text; an object or a list where text belongs is refused by name (Akka reads it as null).</summary>
    static string Text(Config config, string key, string fallback)
        => config.GetString(key, fallback) ?? throw new ArgumentException($"{key} must be a value, not an object or a list");

    static NodeTrust? ReadTrust(Config config)
    {
        const string s = "actormlp.security.";
        string tls = Text(config, s + "tls", "off").Trim().ToLowerInvariant();
        if (tls is "off" or "false" or "no") return null;
        if (tls is not ("on" or "true" or "yes")) throw new ArgumentException($"{s}tls must be on or off, got '{tls}'");
        string ca = Text(config, s + "ca", ""), certificate = Text(config, s + "certificate", "");
        if (string.IsNullOrWhiteSpace(ca) || string.IsNullOrWhiteSpace(certificate))
            throw new ArgumentException($"{s}tls = on needs {s}ca (--tls-ca) and {s}certificate (--tls-certificate); `actormlp certs create` makes both");
        return NodeTrust.Load(ca, certificate, Text(config, s + "certificate-password", ""), s);
    }
}
