using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ActorMlp.Core.Model;
using MessagePack;
using MessagePack.Resolvers;

namespace ActorMlp.Core.Checkpoints;

/// <summary>
/// The checkpoint file: "AMLPCKPT", format version (u32 LE), payload length (i64 LE),
/// SHA-256 of the payload, then the payload as MessagePack with float arrays as raw
/// little-endian bytes. Written to a temporary file, flushed to disk and renamed, so a
/// crash leaves the old file or the new one, never half of one.
/// </summary>
public static class CheckpointFile
{
    public const int FormatVersion = 1;
    static readonly byte[] Magic = "AMLPCKPT"u8.ToArray();
    const int HeaderLength = 8 + 4 + 8 + 32;

    public static void Write(string path, Checkpoint checkpoint) => Write(path, Encode(checkpoint));

    /// <summary>The file's bytes: header (magic, version, length, SHA-256 of the payload) and payload. Encode once to write several files.</summary>
    public static byte[] Encode(Checkpoint checkpoint)
    {
        byte[] payload = MessagePackSerializer.Serialize(Payload.From(checkpoint), Trusted);
        var file = new byte[HeaderLength + payload.Length];
        Magic.CopyTo(file, 0);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(8), FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(12), payload.Length);
        SHA256.HashData(payload, file.AsSpan(20));
        payload.CopyTo(file, HeaderLength);
        return file;
    }

    /// <summary>Writes encoded checkpoint bytes to a temporary name, flushed, then renames it into place.</summary>
    public static void Write(string path, byte[] encoded)
    {
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(encoded);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    public static Checkpoint Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"cannot read checkpoint {path}: {e.Message}", e);
        }
        return Decode(bytes, path);
    }

    /// <summary>A checkpoint file's bytes as read from <paramref name="path"/>, which error messages name; throws <see cref="CheckpointException"/> for anything else.</summary>
    public static Checkpoint Decode(byte[] bytes, string path)
    {
        if (bytes.Length < HeaderLength || !bytes.AsSpan(0, 8).SequenceEqual(Magic))
            throw new CheckpointException($"{path} is not an ActorMlp checkpoint (no AMLPCKPT header)");
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        if (version != FormatVersion)
            throw new CheckpointException($"checkpoint {path} has format version {version}; this build reads version {FormatVersion}");
        long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(12));
        if (length != bytes.Length - HeaderLength)
            throw new CheckpointException($"checkpoint {path} is truncated or padded: header says {length} payload bytes, file has {bytes.Length - HeaderLength}");
        var payload = bytes.AsSpan(HeaderLength);
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(bytes.AsSpan(20, 32)))
            throw new CheckpointException($"checkpoint {path} is corrupt: its SHA-256 checksum does not match");
        try
        {
            var decoded = MessagePackSerializer.Deserialize<Payload>(bytes.AsMemory(HeaderLength), Untrusted)
                ?? throw new ArgumentException("the payload is nil");
            return decoded.ToCheckpoint();
        }
        catch (Exception e) when (e is MessagePackSerializationException or ArgumentException)
        {
            throw new CheckpointException($"checkpoint {path} has a valid checksum but an unreadable payload: {e.Message}", e);
        }
    }

    // The payload is an internal type, which only the resolver that allows non-public types builds a
    // formatter for; it writes the same bytes as the standard one.
    static readonly MessagePackSerializerOptions Trusted = StandardResolverAllowPrivate.Options;

    // Depth and collision limits of MessagePack for input that may come from anywhere.
    static readonly MessagePackSerializerOptions Untrusted = Trusted.WithSecurity(MessagePackSecurity.UntrustedData);

    static void Present(object? value, string field)
    {
        if (value is null) throw new ArgumentException($"its {field} field is nil");
    }

    static byte[] Bytes(float[] values) => MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    static float[] Floats(byte[] bytes)
    {
        if (bytes.Length % sizeof(float) != 0) throw new ArgumentException("a float block has a length that is not a multiple of 4");
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    [MessagePackObject]
    internal sealed class Payload
    {
        [Key(0)] public int[] Layers { get; set; } = [];
        [Key(1)] public string Activation { get; set; } = "";
        [Key(2)] public string Head { get; set; } = "";
        [Key(3)] public int MaxoutPieces { get; set; }
        [Key(4)] public float LeakySlope { get; set; }
        [Key(5)] public byte[] Parameters { get; set; } = [];
        [Key(6)] public ulong Seed { get; set; }
        [Key(7)] public int Epochs { get; set; }
        [Key(8)] public int Batch { get; set; }
        [Key(9)] public int MicroShards { get; set; }
        [Key(10)] public long Step { get; set; }
        [Key(11)] public double EpochLoss { get; set; }
        [Key(12)] public double EpochCorrect { get; set; }
        [Key(13)] public string OptimizerKind { get; set; } = "";
        [Key(14)] public long OptimizerSteps { get; set; }
        [Key(15)] public byte[][] OptimizerState { get; set; } = [];
        [Key(16)] public string Dataset { get; set; } = "";
        [Key(17)] public string Task { get; set; } = "";
        [Key(18)] public byte[] FeatureShift { get; set; } = [];
        [Key(19)] public byte[] FeatureScale { get; set; } = [];
        [Key(20)] public byte[] TargetShift { get; set; } = [];
        [Key(21)] public byte[] TargetScale { get; set; } = [];
        // Added after the first format: an older file's shorter array leaves it empty.
        [Key(22)] public string DataFingerprint { get; set; } = "";

        public static Payload From(Checkpoint c) => new()
        {
            Layers = c.Spec.Layers, Activation = c.Spec.Activation.ToName(), Head = c.Spec.Head.ToName(),
            MaxoutPieces = c.Spec.MaxoutPieces, LeakySlope = c.Spec.LeakySlope, Parameters = Bytes(c.Parameters),
            Seed = c.Seed, Epochs = c.Epochs, Batch = c.Batch, MicroShards = c.MicroShards, Step = c.Step,
            EpochLoss = c.EpochLoss, EpochCorrect = c.EpochCorrect, OptimizerKind = c.OptimizerKind,
            OptimizerSteps = c.OptimizerSteps, OptimizerState = c.OptimizerState.Select(Bytes).ToArray(),
            Dataset = c.Dataset, Task = c.Task, FeatureShift = Bytes(c.FeatureShift), FeatureScale = Bytes(c.FeatureScale),
            TargetShift = Bytes(c.TargetShift), TargetScale = Bytes(c.TargetScale), DataFingerprint = c.DataFingerprint,
        };

        public Checkpoint ToCheckpoint()
        {
            // A payload may say nil for any field: refused by name rather than met as a null later.
            Present(Layers, "layers"); Present(Activation, "activation"); Present(Head, "head"); Present(Parameters, "parameters");
            Present(OptimizerKind, "optimizer kind"); Present(OptimizerState, "optimizer state"); Present(Dataset, "dataset"); Present(Task, "task");
            Present(FeatureShift, "feature shift"); Present(FeatureScale, "feature scale"); Present(TargetShift, "target shift"); Present(TargetScale, "target scale");
            foreach (var block in OptimizerState) Present(block, "optimizer state");
            if (!ActivationKindNames.TryParse(Activation, out var activation)) throw new ArgumentException($"unknown activation '{Activation}'");
            if (!HeadKindNames.TryParse(Head, out var head)) throw new ArgumentException($"unknown head '{Head}'");
            var spec = new ModelSpec(Layers, activation, head, MaxoutPieces, LeakySlope);
            spec.Validate();
            var parameters = Floats(Parameters);
            if (parameters.Length != new ParameterLayout(spec).Count)
                throw new ArgumentException($"it holds {parameters.Length} parameters but the model {spec} has {new ParameterLayout(spec).Count}");
            return new Checkpoint
            {
                Spec = spec, Parameters = parameters, Seed = Seed, Epochs = Epochs, Batch = Batch, MicroShards = MicroShards,
                Step = Step, EpochLoss = EpochLoss, EpochCorrect = EpochCorrect, OptimizerKind = OptimizerKind,
                OptimizerSteps = OptimizerSteps, OptimizerState = OptimizerState.Select(Floats).ToArray(),
                Dataset = Dataset, Task = Task, FeatureShift = Floats(FeatureShift), FeatureScale = Floats(FeatureScale),
                TargetShift = Floats(TargetShift), TargetScale = Floats(TargetScale), DataFingerprint = DataFingerprint ?? "",
            };
        }
    }
}
