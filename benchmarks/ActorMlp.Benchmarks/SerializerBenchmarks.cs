using System.Runtime.InteropServices;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Cluster.Serialization;
using Akka.Actor;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace ActorMlp.Benchmarks;

/// <summary>
/// The two ways a tensor crosses between nodes, without the network: (1) the Akka link — cut into
/// TensorChunk messages of the default 64 KiB, each through ProtocolSerializer.ToBinary and FromBinary
/// and put back together by ChunkAssembler; (2) the socket link's framing — FrameHeader written and
/// read, floats copied as raw bytes with MemoryMarshal. The gap between the two is what the socket
/// link saves per tensor; the MB/s column counts tensor bytes.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class SerializerBenchmarks
{
    sealed class Columns : ManualConfig
    {
        public Columns() => AddColumn(new ThroughputColumn("MB/s", 1e-6,
            c => c.Parameters.Items.FirstOrDefault(p => p.Name == nameof(TensorBytes))?.Value is int bytes ? bytes : null));
    }

    const int ChunkBytes = 64 * 1024;   // actormlp.cluster.chunk-bytes default

    ActorSystem _system = null!;
    ProtocolSerializer _serializer = null!;
    string _manifest = "";
    float[] _tensor = [];
    BufferPool _pool = null!;
    ChunkAssembler _assembler = null!;
    byte[] _frame = [];
    float[] _received = [];
    long _step;

    [Params(1 << 20, 16 << 20)]
    public int TensorBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // The serializer only needs a system to exist; nothing is sent through it.
        _system = ActorSystem.Create("bench");
        _serializer = new ProtocolSerializer((ExtendedActorSystem)_system);
        _tensor = GemmBenchmarks.RandomMatrix(new Random(1), TensorBytes / sizeof(float));
        _manifest = _serializer.Manifest(new TensorChunk(0, 0, TensorKind.Weights, 0, 0, 0, 0, []));
        _pool = new BufferPool(_tensor.Length);
        _assembler = new ChunkAssembler(_pool);
        _frame = new byte[FrameHeader.Size + TensorBytes];
        _received = new float[_tensor.Length];
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Benchmark]
    public float AkkaChunksRoundTrip()
    {
        long step = _step++;
        int floatsPerChunk = ChunkBytes / sizeof(float);
        float[]? whole = null;
        for (int offset = 0; offset < _tensor.Length; offset += floatsPerChunk)
        {
            // The chunk as ChunkAssembler.Send builds it: its own copy of the bytes, since the message outlives the span.
            var piece = _tensor.AsSpan(offset, Math.Min(floatsPerChunk, _tensor.Length - offset));
            var chunk = new TensorChunk(1, step, TensorKind.Weights, 0, 0, offset, _tensor.Length, MemoryMarshal.AsBytes(piece).ToArray());
            var bytes = _serializer.ToBinary(chunk);
            var back = (TensorChunk)_serializer.FromBinary(bytes, _manifest);
            whole = _assembler.Add("worker", back);
        }
        float first = whole![0];
        _pool.Return(whole);
        return first;
    }

    [Benchmark]
    public float SocketFrameRoundTrip()
    {
        var header = new FrameHeader(FrameKind.Weights, 0, 0, _step++, 1, _tensor.Length);
        header.Write(_frame);
        MemoryMarshal.AsBytes(_tensor.AsSpan()).CopyTo(_frame.AsSpan(FrameHeader.Size));
        var read = FrameHeader.Read(_frame);
        _frame.AsSpan(FrameHeader.Size, read.Length * sizeof(float)).CopyTo(MemoryMarshal.AsBytes(_received.AsSpan(0, read.Length)));
        return _received[0];
    }
}
