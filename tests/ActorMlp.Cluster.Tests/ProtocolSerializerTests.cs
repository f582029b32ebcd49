using ActorMlp.Cluster.Protocol;
using ActorMlp.Cluster.Serialization;
using ActorMlp.Core.Model;
using Akka.Serialization;

namespace ActorMlp.Cluster.Tests;

public sealed class ProtocolSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    public ProtocolSerializerTests() : base(Fixtures.TestConfig()) { }

    T RoundTrip<T>(T message) where T : class
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.IsType<ProtocolSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        var bytes = serializer.ToBinary(message);
        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);
        Assert.IsType(message.GetType(), back);
        return (T)back;
    }

    public static IEnumerable<object[]> Messages() =>
    [
        [new RegisterWorker("w-1", 4, "digits/1437+360/00ff")],
        [new WorkerAccepted(42, new ModelMessage([64, 32, 10], ActivationKind.Maxout, HeadKind.SoftmaxCrossEntropy, 3, 0.01f), new PlanMessage(1437, 3, 128, 16, 9), "127.0.0.1:5000")],
        [new WorkerRefused("data differs")],
        [new TensorLinkFailed("w-1", "10.0.0.1:4054", "Connection refused")],
        [new StopWorking("finished")],
        [new ComputeLeaves(long.MaxValue, 2, 7, 3, 10)],
        [new GetStatus()],
        [new DataOffered("fashion-mnist/60000+10000/ca3a", 47_106_509, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "10.0.0.1:4054", 42)],
        [new StatusReported("training", 412, 1100, 2, 10, 9830.5, [new WorkerStatus("worker-1", 4, 411, 0.0031, 0.0004), new WorkerStatus("w-2", 1, -1, 0, 0)])],
    ];

    // The messages are internal, so the serializer uses the resolver that allows non-public types; the public
    // ones show that it writes the bytes the standard resolver writes (the wire format did not change with it).
    [Fact]
    public void Messages_are_written_as_the_standard_MessagePack_resolver_writes_them()
    {
        object[] messages = [new GetStatus("status-1"), new StatusReported("training", 412, 1100, 2, 10, 9830.5, [new WorkerStatus("worker-1", 4, 411, 0.0031, 0.0004)])];
        foreach (var message in messages)
        {
            var serializer = Sys.Serialization.FindSerializerFor(message);
            var standard = MessagePack.MessagePackSerializer.Serialize(message.GetType(), message, MessagePack.MessagePackSerializerOptions.Standard);
            Assert.Equal(standard, serializer.ToBinary(message));
        }
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_protocol_message_round_trips(object message)
    {
        var back = RoundTrip(message);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message), System.Text.Json.JsonSerializer.Serialize(back));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(60_000)]
    public void Tensor_chunks_round_trip_bit_for_bit(int floats)
    {
        var values = Enumerable.Range(0, floats).Select(i => i % 5 == 0 ? float.NaN : i % 7 == 0 ? float.NegativeInfinity : i * 0.37f - 1e30f).ToArray();
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var chunk = new TensorChunk(9, 12, TensorKind.Subtree, 2, 1, 64, floats + 64, bytes);
        var back = RoundTrip(chunk);
        Assert.Equal(chunk with { Data = [] }, back with { Data = [] });
        Assert.Equal(bytes, back.Data);
    }

    [Fact]
    public void A_chunk_under_the_frame_limit_stays_under_it_when_serialized()
    {
        var chunk = new TensorChunk(1, 1, TensorKind.Weights, 0, 0, 0, 1 << 20, new byte[65536]);
        var serializer = Sys.Serialization.FindSerializerFor(chunk);
        Assert.InRange(serializer.ToBinary(chunk).Length, 65536, 65536 + 128);
    }

    [Fact]
    public void Unknown_manifest_is_refused()
    {
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(new StopWorking(""));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => serializer.FromBinary([0x90], "zz"));
    }
}
