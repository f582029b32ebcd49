using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using ActorMlp.Cluster.Security;
using ActorMlp.Core.Determinism;
using Akka.Actor;

namespace ActorMlp.Cluster.Links;

/// <summary>
/// A worker's TCP connection to the coordinator's tensor endpoint: a reader thread takes weight
/// frames into pooled buffers, queues them and announces them to the worker actor; subtree values
/// are written by the actor itself, which has nothing else to do until they are sent.
/// </summary>
internal sealed class TensorClient : IWorkerLink
{
    readonly TcpClient _client;
    readonly Stream _stream;
    readonly long _token;
    readonly BufferPool _weights;
    readonly IActorRef _owner;
    readonly string _workerId;
    readonly byte[] _header = new byte[FrameHeader.Size];
    readonly byte[] _timing = new byte[StepTiming.Size];
    // bfloat16 staging, made on first use: each is touched by one thread only (the actor's, the reader's).
    ushort[]? _sendHalf, _readHalf;
    readonly ConcurrentQueue<WeightsArrived> _arrived = new();
    long _readerAllocated;
    // Subtrees go back in the precision the weights came in.
    volatile bool _bf16;
    volatile bool _disposed;

    /// <summary>How long connecting, the TLS handshake included, may take.</summary>
    static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Connects and says hello; throws <see cref="IOException"/> or <see cref="SocketException"/> (the socket closed) when it cannot.</summary>
    public TensorClient(string endpoint, string workerId, long token, int weightsLength, IActorRef owner, int socketBuffer, NodeTrust? trust = null)
    {
        int colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out int port))
            throw new ArgumentException($"tensor endpoint '{endpoint}' is not host:port");
        _token = token;
        _owner = owner;
        _workerId = workerId;
        _weights = new BufferPool(weightsLength);
        _client = new TcpClient();
        try
        {
            TensorServer.Configure(_client, socketBuffer);
            // A blocking connect, cut short by closing the socket: ConnectAsync would leave the socket in
            // the runtime's async mode, where every blocking read of a step allocates.
            bool late = false;
            using (new Timer(_ => { late = true; _client.Dispose(); }, null, ConnectTimeout, Timeout.InfiniteTimeSpan))
            {
                try { _client.Connect(endpoint[..colon], port); }
                catch (Exception e) when (late && e is SocketException or ObjectDisposedException)
                {
                    throw new IOException($"no connection to the tensor endpoint {endpoint} within {ConnectTimeout.TotalSeconds:F0} s", e);
                }
            }
            _client.ReceiveTimeout = (int)ConnectTimeout.TotalMilliseconds;
            // With TLS, reads in blocks and writes a frame's records a few at a time, the rest at its flush (RecordBatchStream).
            _stream = SecureLink.Connect(_client, endpoint[..colon], trust, SecureLink.Block);
            _client.ReceiveTimeout = 0;
            var id = Encoding.UTF8.GetBytes(workerId);
            new FrameHeader(FrameKind.Hello, 0, 0, 0, token, id.Length).Write(_header);
            _stream.Write(_header);
            _stream.Write(id);
            _stream.Flush();
        }
        catch
        {
            _client.Dispose(); // a failed connect must not leak its socket
            throw;
        }
        new Thread(ReadLoop) { IsBackground = true, Name = "tensor-read" }.Start();
    }

    public void SendSubtree(long step, TreeNode node, float[] value)
    {
        bool bf16 = _bf16;
        new FrameHeader(bf16 ? FrameKind.Subtree16 : FrameKind.Subtree, node.Level, node.Index, step, _token, value.Length).Write(_header);
        _stream.Write(_header);
        if (!bf16) _stream.Write(MemoryMarshal.AsBytes(value.AsSpan()));
        else
        {
            _sendHalf ??= new ushort[SubtreeWire16.Length(value.Length)];
            var half = _sendHalf.AsSpan(0, SubtreeWire16.Length(value.Length));
            SubtreeWire16.Narrow(value, half);
            _stream.Write(MemoryMarshal.AsBytes(half));
        }
        _stream.Flush();
    }

    public void SendTiming(long step, StepTiming timing)
    {
        new FrameHeader(FrameKind.Timing, 0, 0, step, _token, StepTiming.Size).Write(_header);
        timing.Write(_timing);
        _stream.Write(_header);
        _stream.Write(_timing);
        _stream.Flush();
    }

    public bool TryTakeWeights(out WeightsArrived weights) => _arrived.TryDequeue(out weights);

    public void ReturnWeights(float[] buffer) => _weights.Return(buffer);

    public long AllocatedBytes => Volatile.Read(ref _readerAllocated);

    void ReadLoop()
    {
        var header = new byte[FrameHeader.Size];
        try
        {
            while (true)
            {
                _stream.ReadExactly(header);
                var h = FrameHeader.Read(header);
                if (h.Kind is not (FrameKind.Weights or FrameKind.Weights16) || h.Length != _weights.Length || h.RunToken != _token)
                    throw new InvalidDataException($"unexpected {h.Kind} frame of {h.Length} values from the coordinator");
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                var buffer = _weights.Rent();
                _bf16 = h.Kind == FrameKind.Weights16;
                if (_bf16)
                {
                    _readHalf ??= new ushort[_weights.Length];
                    _stream.ReadExactly(MemoryMarshal.AsBytes(_readHalf.AsSpan()));
                    Core.Tensors.BFloat16.Widen(_readHalf, buffer);
                }
                else _stream.ReadExactly(MemoryMarshal.AsBytes(buffer.AsSpan()));
                long end = System.Diagnostics.Stopwatch.GetTimestamp();
                _arrived.Enqueue(new WeightsArrived(h.Step, buffer, h.Index, h.Index + h.Level, end, StepTiming.Micros(start, end)));
                Volatile.Write(ref _readerAllocated, GC.GetAllocatedBytesForCurrentThread());
                _owner.Tell(WeightsReady.Instance);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or ObjectDisposedException or EndOfStreamException)
        {
            if (!_disposed) _owner.Tell(new LinkClosed(_workerId, e.Message));
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _client.Close();
    }
}
