namespace ActorMlp.Cluster.Links;

/// <summary>
/// Float buffers of one length, reused across steps: a tensor-sized array allocated per step would
/// land on the large-object heap and cost a gen-2 collection. A plain locked stack: a link thread
/// rents while an actor returns, and a ConcurrentBag could then miss a buffer that was there (its
/// steal from another thread's list gives up under contention) and allocate a new one.
/// </summary>
internal sealed class BufferPool(int length)
{
    readonly Stack<float[]> _free = new();

    public int Length => length;

    public float[] Rent()
    {
        lock (_free)
            if (_free.TryPop(out var buffer)) return buffer;
        return new float[length];
    }

    public void Return(float[] buffer)
    {
        if (buffer.Length != length) return;
        lock (_free) _free.Push(buffer);
    }
}
