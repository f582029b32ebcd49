using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using System.Runtime.InteropServices;

namespace ActorMlp.Cluster.Tests;

public class LinkPartsTests
{
    [Fact]
    public void Frame_header_round_trips_and_refuses_garbage()
    {
        var header = new FrameHeader(FrameKind.Subtree, 3, 17, 123456789012, -5, 235146);
        var bytes = new byte[FrameHeader.Size];
        header.Write(bytes);
        Assert.Equal(header, FrameHeader.Read(bytes));
        bytes[0] ^= 1;
        Assert.Throws<InvalidDataException>(() => FrameHeader.Read(bytes));
    }

    [Fact]
    public void A_frame_of_another_protocol_version_is_refused_with_both_versions_named()
    {
        var bytes = new byte[PeerFrameHeader.Size];
        new FrameHeader(FrameKind.Hello, 0, 0, 0, 1, 3).Write(bytes);
        bytes[3] = 7;
        var e = Assert.Throws<InvalidDataException>(() => FrameHeader.Read(bytes));
        Assert.Contains("version 7", e.Message);
        Assert.Contains($"speaks version {FrameHeader.Version}", e.Message);

        new PeerFrameHeader(PeerFrameKind.Hello, 0, 0, 0, 0, 0, 1, 3).Write(bytes);
        bytes[3] = (byte)'F'; // as the releases before versioned frames wrote it
        Assert.Contains("before versioned frames", Assert.Throws<InvalidDataException>(() => PeerFrameHeader.Read(bytes)).Message);
    }

    [Fact]
    public void A_weights_frame_carries_an_assignment_of_up_to_a_million_leaves()
    {
        // Leaves [1 << 19, 1 << 20) of a run with 2^20 micro-shards: the level field holds the count in 24 bits.
        var header = new FrameHeader(FrameKind.Weights, 1 << 19, 1 << 19, 7, 1, 235146);
        var bytes = new byte[FrameHeader.Size];
        header.Write(bytes);
        Assert.Equal(header, FrameHeader.Read(bytes));
        Assert.Throws<ArgumentOutOfRangeException>(() => (header with { Level = 1 << 24 }).Write(bytes));
    }

    [Fact]
    public void A_bf16_subtree_keeps_its_loss_and_correct_count_whole()
    {
        float[] node = [0.123456f, -7.654321f, 1e-3f, 12345.678f, 301f]; // gradient, loss sum, correct count
        var wire = new ushort[SubtreeWire16.Length(node.Length)];
        var back = new float[node.Length];

        SubtreeWire16.Narrow(node, wire);
        SubtreeWire16.Widen(wire, back);

        Assert.Equal(node[^2..], back[^2..]);
        for (int i = 0; i < 3; i++) Assert.Equal(node[i], back[i], Math.Abs(node[i]) / 128f);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_bf16_slice_keeps_its_metric_tail_whole_across_the_peer_link(bool reduced)
    {
        var kind = reduced ? PeerFrameKind.Reduced16 : PeerFrameKind.Piece16;
        const long token = 42;
        using var receiver = new PeerLinks("b", "127.0.0.1", 0, token, 16, 1024, Akka.Actor.ActorRefs.Nobody, 1 << 16, _ => { });
        using var sender = new PeerLinks("a", "127.0.0.1", 0, token, 16, 1024, Akka.Actor.ActorRefs.Nobody, 1 << 16, _ => { });
        receiver.Admit("a");
        float[] slice = [0.123456f, -7.654321f, 1e-3f, 12345.678f, 301f]; // gradient, then loss sum and correct count
        var half = new ushort[3];
        Core.Tensors.BFloat16.Narrow(slice.AsSpan(0, 3), half);
        byte[] wire = [.. MemoryMarshal.AsBytes(half.AsSpan()), .. MemoryMarshal.AsBytes(slice.AsSpan(3))];
        var header = new PeerFrameHeader(kind, 0, 0, 1, 1, 7, token, slice.Length, Tail: 2);
        Assert.True(sender.Send("b", receiver.Endpoint, header, wire));

        PeerFrame frame = default;
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!receiver.TryTake(out frame)) { Assert.True(limit.ElapsedMilliseconds < 5000, "no frame arrived"); Thread.Sleep(2); }
        Assert.Equal(header, frame.Header);
        Assert.Equal([12345.678f, 301f], frame.Values![3..]);
        var widened = new float[3];
        Core.Tensors.BFloat16.Widen(half, widened);
        Assert.Equal(widened, frame.Values[..3]);
    }

    [Fact]
    public void A_peer_header_refuses_a_tail_longer_than_its_payload()
    {
        var bytes = new byte[PeerFrameHeader.Size];
        new PeerFrameHeader(PeerFrameKind.Reduced16, 0, 0, 0, 1, 1, 9, 5, Tail: 2).Write(bytes);
        Assert.Equal(2, PeerFrameHeader.Read(bytes).Tail);
        bytes[6] = 6;
        Assert.Throws<InvalidDataException>(() => PeerFrameHeader.Read(bytes));
    }

    [Fact]
    public void Chunks_reassemble_in_any_order()
    {
        var values = Enumerable.Range(0, 1000).Select(i => i * 1.5f).ToArray();
        var pool = new BufferPool(1000);
        var assembler = new ChunkAssembler(pool);
        var chunks = new List<TensorChunk>();
        for (int offset = 0; offset < 1000; offset += 300)
        {
            var piece = values.AsSpan(offset, Math.Min(300, 1000 - offset));
            chunks.Add(new TensorChunk(1, 5, TensorKind.Weights, 0, 0, offset, 1000, MemoryMarshal.AsBytes(piece).ToArray()));
        }
        chunks.Reverse();
        float[]? result = null;
        foreach (var c in chunks)
        {
            Assert.Null(result);
            result = assembler.Add("c", c);
        }
        Assert.Equal(values, result);
    }

    [Fact]
    public void A_repeated_or_overlapping_chunk_is_refused_and_cannot_complete_a_tensor()
    {
        var pool = new BufferPool(8);
        var stale = pool.Rent();
        Array.Fill(stale, 99f); // what an earlier step left in the pooled buffer
        pool.Return(stale);
        var assembler = new ChunkAssembler(pool);
        byte[] Floats(params float[] v) => MemoryMarshal.AsBytes(v.AsSpan()).ToArray();

        Assert.Null(assembler.Add("c", new TensorChunk(1, 3, TensorKind.Subtree, 0, 0, 0, 8, Floats(1, 2, 3, 4))));
        Assert.Throws<InvalidDataException>(() => assembler.Add("c", new TensorChunk(1, 3, TensorKind.Subtree, 0, 0, 0, 8, Floats(1, 2, 3, 4))));
        Assert.Throws<InvalidDataException>(() => assembler.Add("c", new TensorChunk(1, 3, TensorKind.Subtree, 0, 0, 2, 8, Floats(3, 4, 5, 6))));
        var whole = assembler.Add("c", new TensorChunk(1, 3, TensorKind.Subtree, 0, 0, 4, 8, Floats(5, 6, 7, 8)));
        Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], whole);
    }

    [Fact]
    public void Unfinished_tensors_are_capped()
    {
        var assembler = new ChunkAssembler(new BufferPool(8), maxUnfinished: 3);
        for (int step = 0; step < 3; step++)
            Assert.Null(assembler.Add("c", new TensorChunk(1, step, TensorKind.Subtree, 0, 0, 0, 8, new byte[4])));
        var e = Assert.Throws<InvalidDataException>(() => assembler.Add("c", new TensorChunk(1, 1000, TensorKind.Subtree, 0, 0, 0, 8, new byte[4])));
        Assert.Contains("unfinished", e.Message);
        Assert.Equal(3, assembler.Unfinished);
        assembler.DropBefore(2);
        Assert.Equal(1, assembler.Unfinished);
        Assert.Null(assembler.Add("c", new TensorChunk(1, 1000, TensorKind.Subtree, 0, 0, 0, 8, new byte[4])));
    }

    [Fact]
    public void Chunks_that_do_not_fit_are_refused()
    {
        var assembler = new ChunkAssembler(new BufferPool(8));
        Assert.Throws<InvalidDataException>(() => assembler.Add("c", new TensorChunk(1, 1, TensorKind.Subtree, 0, 0, 0, 9, new byte[4])));
        Assert.Throws<InvalidDataException>(() => assembler.Add("c", new TensorChunk(1, 1, TensorKind.Subtree, 0, 0, 6, 8, new byte[12])));
        Assert.Throws<InvalidDataException>(() => assembler.Add("c", new TensorChunk(1, 1, TensorKind.Subtree, 0, 0, 0, 8, new byte[3])));
    }

    [Theory]
    [InlineData(0, 16, new[] { 1, 1 })]
    [InlineData(0, 16, new[] { 1, 2, 1 })]
    [InlineData(3, 10, new[] { 4, 1, 1, 1 })]
    [InlineData(0, 2, new[] { 1, 1, 1 })]
    public void Leaf_ranges_tile_the_run_in_proportion_to_cores(int start, int end, int[] cores)
    {
        var ranges = LeafRanges.Split(start, end, cores);
        Assert.Equal(start, ranges[0].Start);
        Assert.Equal(end, ranges[^1].End);
        for (int i = 1; i < ranges.Length; i++) Assert.Equal(ranges[i - 1].End, ranges[i].Start);
        int total = end - start;
        for (int i = 0; i < ranges.Length; i++)
            Assert.InRange(ranges[i].End - ranges[i].Start, Math.Floor(total * cores[i] / (double)cores.Sum()) - 1, Math.Ceiling(total * cores[i] / (double)cores.Sum()) + 1);
    }
}
