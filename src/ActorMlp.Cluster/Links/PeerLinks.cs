using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using ActorMlp.Cluster.Security;
using Akka.Actor;

namespace ActorMlp.Cluster.Links;

/// <summary>A frame read from a peer: floats in a pooled buffer (return it with <see cref="PeerLinks.Return"/>), or a state's bytes.</summary>
internal readonly record struct PeerFrame(string From, PeerFrameHeader Header, float[]? Values, byte[]? Bytes);

/// <summary>The links have frames queued for their owner to take (<see cref="PeerLinks.TryTake"/>). One shared instance.</summary>
internal sealed class PeerFramesReady : INoSerializationVerificationNeeded
{
    public static readonly PeerFramesReady Instance = new();

    PeerFramesReady() { }
}

/// <summary>A peer's connection to this node closed: for the coordinator, that worker has failed.</summary>
internal sealed record PeerLinkClosed(string PeerId, string Reason) : INoSerializationVerificationNeeded;

/// <summary>
/// A node's tensor endpoint in a peer-to-peer run, and its connections to the other nodes. Each node
/// writes only on the connections it opened and reads only on those it accepted, so a connection has
/// one writer (the owning actor's thread: a write lands in the kernel's socket buffer and returns,
/// and a step never has more in flight than that buffer holds) and one reader thread, which reads
/// payloads straight into pooled buffers, queues them and wakes the owner with one shared message.
/// </summary>
internal sealed class PeerLinks : IDisposable
{
    static readonly TimeSpan HelloTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Connections that have not said hello yet, at most; more are closed at once (a flood must not start a thread each).</summary>
    internal const int MaxAwaitingHello = 64;
    int _awaitingHello;

    /// <summary>How long a hello from a node not (yet) admitted waits for a view that names it before it is refused.</summary>
    internal TimeSpan AdmissionTimeout { get; init; } = HelloTimeout;

    readonly PeerAdmission _admission = new();

    readonly string _selfId;
    readonly long _token;
    readonly int _maxFloats;
    readonly int _maxBytes;
    readonly IActorRef _owner;
    readonly int _socketBuffer;
    readonly Action<string> _warn;
    readonly NodeTrust? _trust;
    readonly Hosting.LogThrottle _refusals = new(TimeSpan.FromSeconds(10));
    readonly TcpListener _listener;
    readonly DataShipper? _data;
    readonly ConcurrentQueue<PeerFrame> _arrived = new();
    readonly ConcurrentDictionary<int, BufferPool> _pools = new();
    readonly ConcurrentDictionary<TcpClient, byte> _inbound = new();
    // What each reader thread has allocated, as last sampled by it; copied on write, so summing it allocates nothing.
    StrongBox<long>[] _readers = [];
    readonly Dictionary<string, (string Endpoint, TcpClient Client, Stream Stream)> _outbound = new();
    readonly byte[] _header = new byte[PeerFrameHeader.Size];
    volatile bool _disposed;

    /// <summary>host:port the other nodes connect to: the advertised address, which need not be the one bound.</summary>
    public string Endpoint { get; }

    /// <summary>host:port the listener bound.</summary>
    public string Bound { get; }

    /// <param name="maxFloats">The longest float payload accepted (a node's value).</param>
    /// <param name="maxBytes">The longest byte payload accepted (a trainer state).</param>
    /// <param name="data">The run's data pack, served to workers that come without data (the coordinator's endpoint); null for none.</param>
    /// <param name="advertise">The endpoint the others are told, from the port bound (Hosting.TensorAddress); null: the bound host and port.</param>
    public PeerLinks(string selfId, string host, int port, long token, int maxFloats, int maxBytes, IActorRef owner, int socketBuffer, Action<string> warn, NodeTrust? trust = null,
        DataShipper? data = null, Func<int, string>? advertise = null)
    {
        _data = data;
        _trust = trust;
        _selfId = selfId;
        _token = token;
        _maxFloats = maxFloats;
        _maxBytes = maxBytes;
        _owner = owner;
        _socketBuffer = socketBuffer;
        _warn = warn;
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        _listener = new TcpListener(address, port);
        _listener.Start();
        int bound = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Bound = $"{host}:{bound}";
        Endpoint = advertise?.Invoke(bound) ?? Bound;
        new Thread(AcceptLoop) { IsBackground = true, Name = "peer-accept" }.Start();
    }

    /// <summary>Lets <paramref name="peerId"/> open a connection to this endpoint: a hello from a node not admitted is refused, whatever token it carries.</summary>
    public void Admit(string peerId) => _admission.Admit(peerId);

    /// <summary>Refuses new connections from <paramref name="peerId"/> (one already open stays).</summary>
    public void Revoke(string peerId) => _admission.Revoke(peerId);

    /// <summary>Admits exactly <paramref name="peerIds"/> from now on: a new view's members, say.</summary>
    public void AdmitOnly(IEnumerable<string> peerIds) => _admission.AdmitOnly(peerIds);

    public bool TryTake(out PeerFrame frame) => _arrived.TryDequeue(out frame);

    /// <summary>Sends the owner the message it gets when frames arrive, so it looks again from its mailbox.</summary>
    public void Wake() => _owner.Tell(PeerFramesReady.Instance);

    /// <summary>Managed bytes the reader threads have allocated so far, as last sampled by them.</summary>
    public long AllocatedBytes
    {
        get
        {
            long sum = 0;
            foreach (var reader in Volatile.Read(ref _readers)) sum += Volatile.Read(ref reader.Value);
            return sum;
        }
    }

    /// <summary>A float buffer of exactly <paramref name="length"/> elements, reused across steps.</summary>
    public float[] Rent(int length) => _pools.GetOrAdd(length, n => new BufferPool(n)).Rent();

    public void Return(float[] buffer) => _pools.GetOrAdd(buffer.Length, n => new BufferPool(n)).Return(buffer);

    /// <summary>
    /// Writes one frame to <paramref name="peerId"/>, connecting to <paramref name="endpoint"/> first when
    /// there is no connection yet. Returns false when the peer cannot be reached or the write fails; the
    /// connection is then dropped, and membership (the coordinator's business) decides what follows.
    /// </summary>
    public bool Send(string peerId, string endpoint, in PeerFrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (_disposed) return false;
        try
        {
            var stream = Connection(peerId, endpoint);
            header.Write(_header);
            stream.Write(_header);
            stream.Write(payload);
            stream.Flush(); // with TLS the frame's records go out here, gathered; a socket's own stream has nothing to flush
            return true;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException or AggregateException)
        {
            _warn($"peer link to {peerId} at {endpoint} failed: {(e is AggregateException ? e.GetBaseException() : e).Message}");
            Forget(peerId);
            return false;
        }
    }

    /// <summary>Opens the connection to <paramref name="peerId"/> now rather than at the first frame; false when it cannot.</summary>
    public bool Connect(string peerId, string endpoint)
    {
        if (TryConnect(peerId, endpoint) is not { } error) return true;
        _warn($"peer link to {peerId} at {endpoint} failed: {error.Message}");
        return false;
    }

    /// <summary>Opens the connection to <paramref name="peerId"/> now; why it cannot, or null when it is open. The caller reports a failure.</summary>
    public Exception? TryConnect(string peerId, string endpoint)
    {
        try
        {
            Connection(peerId, endpoint);
            return null;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or TimeoutException or AggregateException)
        {
            return e is AggregateException ? e.GetBaseException() : e;
        }
    }

    public bool Send(string peerId, string endpoint, in PeerFrameHeader header, ReadOnlySpan<float> payload)
        => Send(peerId, endpoint, header, MemoryMarshal.AsBytes(payload));

    /// <summary>Closes the connection this node opened to <paramref name="peerId"/>, if any.</summary>
    public void Forget(string peerId)
    {
        if (_outbound.Remove(peerId, out var c)) c.Client.Dispose();
    }

    Stream Connection(string peerId, string endpoint)
    {
        if (_outbound.TryGetValue(peerId, out var c))
        {
            if (c.Endpoint == endpoint) return c.Stream;
            Forget(peerId);
        }
        int colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out int port))
            throw new IOException($"'{endpoint}' is not host:port");
        var client = new TcpClient();
        try
        {
            TensorServer.Configure(client, _socketBuffer);
            if (!client.ConnectAsync(endpoint[..colon], port).Wait(HelloTimeout))
                throw new TimeoutException($"no connection within {HelloTimeout.TotalSeconds:F0} s");
            client.ReceiveTimeout = (int)HelloTimeout.TotalMilliseconds;
            // With TLS, a frame's records go out a few at a time, not a system call each (RecordBatchStream).
            var stream = SecureLink.Connect(client, endpoint[..colon], _trust, SecureLink.Block);
            client.ReceiveTimeout = 0;
            var id = Encoding.UTF8.GetBytes(_selfId);
            new PeerFrameHeader(PeerFrameKind.Hello, 0, 0, 0, 0, 0, _token, id.Length).Write(_header);
            stream.Write(_header);
            stream.Write(id);
            stream.Flush();
            _outbound[peerId] = (endpoint, client, stream);
            return stream;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    void AcceptLoop()
    {
        while (!_disposed)
        {
            TcpClient client;
            try { client = _listener.AcceptTcpClient(); }
            catch (Exception) when (_disposed) { return; }
            catch (SocketException e) { _warn($"peer endpoint accept failed: {e.Message}"); continue; }
            if (Interlocked.Increment(ref _awaitingHello) > MaxAwaitingHello)
            {
                Interlocked.Decrement(ref _awaitingHello);
                Refuse($"a peer connection from {client.Client.RemoteEndPoint} was refused: {MaxAwaitingHello} connections are already waiting to say hello");
                client.Dispose();
                continue;
            }
            new Thread(() => Serve(client)) { IsBackground = true, Name = "peer-read" }.Start();
        }
    }

    void Serve(TcpClient client)
    {
        string? peer = null;
        bool greeted = false;
        string remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
        _inbound[client] = 0;
        try
        {
            TensorServer.Configure(client, _socketBuffer);
            client.ReceiveTimeout = (int)HelloTimeout.TotalMilliseconds;
            var stream = SecureLink.Accept(client, _trust, SecureLink.Block);
            var header = new byte[PeerFrameHeader.Size];
            stream.ReadExactly(header.AsSpan(0, 4));
            if (_data is not null && DataFrameHeader.Opens(header))
            {
                greeted = true;
                Interlocked.Decrement(ref _awaitingHello);
                _data.Serve(client, stream, header, _token);
                return;
            }
            stream.ReadExactly(header.AsSpan(4));
            var hello = PeerFrameHeader.Read(header);
            if (hello.Kind != PeerFrameKind.Hello || hello.Length is < 1 or > 256) throw new InvalidDataException("the first frame is not a hello");
            var id = new byte[hello.Length];
            stream.ReadExactly(id);
            if (hello.RunToken != _token) throw new InvalidDataException("a peer of another run");
            string claimed = Encoding.UTF8.GetString(id);
            if (!_admission.Await(claimed, AdmissionTimeout))
                throw new InvalidDataException($"it says it is '{claimed}', which is not a member of this run's view");
            peer = claimed;
            greeted = true;
            Interlocked.Decrement(ref _awaitingHello);
            client.ReceiveTimeout = 0;

            ushort[]? half = null;
            var allocated = new StrongBox<long>();
            lock (_inbound) _readers = [.. _readers, allocated];
            while (true)
            {
                stream.ReadExactly(header);
                var h = PeerFrameHeader.Read(header);
                if (h.RunToken != _token) throw new InvalidDataException($"a {h.Kind} frame with another run's token");
                switch (h.Kind)
                {
                    case PeerFrameKind.Paused when h.Length == 0:
                        _arrived.Enqueue(new PeerFrame(peer, h, null, null));
                        break;
                    case PeerFrameKind.Piece or PeerFrameKind.Piece16 or PeerFrameKind.Reduced or PeerFrameKind.Reduced16 or PeerFrameKind.Applied:
                        if (h.Length > _maxFloats) throw new InvalidDataException($"a {h.Kind} frame of {h.Length} values, more than a node's {_maxFloats}");
                        var values = Rent(h.Length);
                        if (h.Kind is PeerFrameKind.Reduced16 or PeerFrameKind.Piece16)
                        {
                            if (half is null || half.Length < h.Length) half = new ushort[_maxFloats];
                            int rounded = h.Length - h.Tail;
                            var staged = half.AsSpan(0, rounded);
                            stream.ReadExactly(MemoryMarshal.AsBytes(staged));
                            Core.Tensors.BFloat16.Widen(staged, values);
                            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan(rounded)));
                        }
                        else stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
                        _arrived.Enqueue(new PeerFrame(peer, h, values, null));
                        break;
                    case PeerFrameKind.State:
                        if (h.Length > _maxBytes) throw new InvalidDataException($"a state of {h.Length} bytes, more than the model's {_maxBytes}");
                        var bytes = new byte[h.Length];
                        stream.ReadExactly(bytes);
                        _arrived.Enqueue(new PeerFrame(peer, h, null, bytes));
                        break;
                    default:
                        throw new InvalidDataException($"a second {h.Kind} frame");
                }
                Volatile.Write(ref allocated.Value, GC.GetAllocatedBytesForCurrentThread());
                _owner.Tell(PeerFramesReady.Instance);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or ObjectDisposedException or EndOfStreamException)
        {
            if (_disposed) return;
            if (peer is null) { if (!greeted) Refuse($"a peer connection from {remote} was refused: {e.Message}"); }
            else _owner.Tell(new PeerLinkClosed(peer, e.Message));
        }
        finally
        {
            if (!greeted) Interlocked.Decrement(ref _awaitingHello);
            _inbound.TryRemove(client, out _);
            client.Dispose();
        }
    }

    /// <summary>Logs a refused connection; a flood of alike ones is written once per window (<see cref="Hosting.LogThrottle"/>).</summary>
    void Refuse(string message)
    {
        Watch.TrainingMetrics.FrameRefused();
        if (_refusals.Admit(message) is { } line) _warn(line);
    }

    public void Dispose()
    {
        _disposed = true;
        _listener.Stop();
        foreach (var c in _outbound.Values) c.Client.Dispose();
        _outbound.Clear();
        foreach (var c in _inbound.Keys) c.Dispose();
    }
}
