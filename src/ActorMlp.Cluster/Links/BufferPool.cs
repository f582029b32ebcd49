using System.Collections.Concurrent;

namespace ActorMlp.Cluster.Links;

/// <summary>
/// Float buffers of one length, reused across steps: a tensor-sized array allocated per step would
/// land on the large-object heap and cost a gen-2 collection.
/// </summary>
public sealed class BufferPool(int length)
{
    readonly ConcurrentBag<float[]> _free = new();

    public int Length => length;

    public float[] Rent() => _free.TryTake(out var buffer) ? buffer : new float[length];

    public void Return(float[] buffer)
    {
        if (buffer.Length == length) _free.Add(buffer);
    }
}
