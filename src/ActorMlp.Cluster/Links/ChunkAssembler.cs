using System.Runtime.InteropServices;
using ActorMlp.Cluster.Protocol;

namespace ActorMlp.Cluster.Links;

/// <summary>
/// Puts tensors sent as <see cref="TensorChunk"/> messages back together in pooled buffers.
/// A chunk that does not fit the expected tensor, or overlaps floats already received for it, is
/// refused with a reason, so a tensor completes only when every float came exactly once (a repeated
/// chunk would otherwise "complete" it around an older step's leftovers in the pooled buffer).
/// At most <paramref name="maxUnfinished"/> tensors are unfinished at once: chunks of tensors that
/// never complete cannot hold buffers without bound. Partial tensors of older steps are dropped when
/// a newer step begins.
/// </summary>
internal sealed class ChunkAssembler(BufferPool pool, int maxUnfinished = 64)
{
    readonly Dictionary<(string Source, long Step, TensorKind Kind, int Level, int Index), (float[] Buffer, int Received, List<(int Start, int End)> Ranges)> _partial = new();

    /// <summary>Tensors begun and not yet complete.</summary>
    public int Unfinished => _partial.Count;

    /// <summary>The complete tensor once its last chunk is in, else null. Throws <see cref="InvalidDataException"/> for a malformed chunk.</summary>
    public float[]? Add(string source, TensorChunk chunk)
    {
        if (chunk.Total != pool.Length)
            throw new InvalidDataException($"a tensor of {chunk.Total} floats where {pool.Length} are expected");
        if (chunk.Data.Length % sizeof(float) != 0)
            throw new InvalidDataException($"a chunk of {chunk.Data.Length} bytes, not whole floats");
        int count = chunk.Data.Length / sizeof(float);
        if (chunk.Offset < 0 || (long)chunk.Offset + count > chunk.Total)
            throw new InvalidDataException($"a chunk at float {chunk.Offset} of {count} floats beyond a tensor of {chunk.Total}");

        var key = (source, chunk.Step, chunk.Kind, chunk.Level, chunk.Index);
        int start = chunk.Offset, end = chunk.Offset + count;
        if (_partial.TryGetValue(key, out var entry))
        {
            foreach (var (s0, s1) in entry.Ranges)
                if (start < s1 && s0 < end)
                    throw new InvalidDataException($"a chunk of floats [{start}, {end}) overlapping [{s0}, {s1}), already received");
        }
        else
        {
            if (_partial.Count >= maxUnfinished)
                throw new InvalidDataException($"a chunk of step {chunk.Step} while {_partial.Count} tensors are unfinished, the most this link keeps");
            entry = (pool.Rent(), 0, new List<(int, int)>());
        }
        MemoryMarshal.Cast<byte, float>(chunk.Data).CopyTo(entry.Buffer.AsSpan(start));
        entry.Ranges.Add((start, end));
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
