using System.Runtime.InteropServices;
using ActorMlp.Cluster.Protocol;

namespace ActorMlp.Cluster.Links;

/// <summary>
/// Puts tensors sent as <see cref="TensorChunk"/> messages back together in pooled buffers.
/// A chunk that does not fit the expected tensor is refused with a reason; partial tensors of
/// older steps are dropped when a newer step begins.
/// </summary>
public sealed class ChunkAssembler(BufferPool pool)
{
    readonly Dictionary<(string Source, long Step, TensorKind Kind, int Level, int Index), (float[] Buffer, int Received)> _partial = new();

    /// <summary>The complete tensor once its last chunk is in, else null. Throws <see cref="InvalidDataException"/> for a malformed chunk.</summary>
    public float[]? Add(string source, TensorChunk chunk)
    {
        if (chunk.Total != pool.Length)
            throw new InvalidDataException($"a tensor of {chunk.Total} floats where {pool.Length} are expected");
        if (chunk.Data.Length % sizeof(float) != 0)
            throw new InvalidDataException($"a chunk of {chunk.Data.Length} bytes, not whole floats");
        int count = chunk.Data.Length / sizeof(float);
        if (chunk.Offset < 0 || chunk.Offset + count > chunk.Total)
            throw new InvalidDataException($"a chunk at float {chunk.Offset} of {count} floats beyond a tensor of {chunk.Total}");

        var key = (source, chunk.Step, chunk.Kind, chunk.Level, chunk.Index);
        if (!_partial.TryGetValue(key, out var entry)) entry = (pool.Rent(), 0);
        MemoryMarshal.Cast<byte, float>(chunk.Data).CopyTo(entry.Buffer.AsSpan(chunk.Offset));
        entry.Received += count;
        if (entry.Received < chunk.Total)
        {
            _partial[key] = entry;
            return null;
        }
        _partial.Remove(key);
        return entry.Buffer;
    }

    /// <summary>Returns the buffers of unfinished tensors of steps before <paramref name="step"/>.</summary>
    public void DropBefore(long step)
    {
        foreach (var key in _partial.Keys.Where(k => k.Step < step).ToList())
        {
            pool.Return(_partial[key].Buffer);
            _partial.Remove(key);
        }
    }

    /// <summary>Sends a tensor as chunks of at most <paramref name="chunkBytes"/> bytes (a multiple of 4).</summary>
    public static void Send(Akka.Actor.IActorRef target, Akka.Actor.IActorRef sender, long token, long step, TensorKind kind,
        int level, int index, ReadOnlySpan<float> tensor, int chunkBytes)
    {
        int floatsPerChunk = Math.Max(1, chunkBytes / sizeof(float));
        for (int offset = 0; offset < tensor.Length || offset == 0; offset += floatsPerChunk)
        {
            var piece = tensor.Slice(offset, Math.Min(floatsPerChunk, tensor.Length - offset));
            target.Tell(new TensorChunk(token, step, kind, level, index, offset, tensor.Length, MemoryMarshal.AsBytes(piece).ToArray()), sender);
            if (tensor.Length == 0) break;
        }
    }
}
