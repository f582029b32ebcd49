using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using ActorMlp.Cluster.Security;
using ActorMlp.Core.Determinism;
using Akka.Actor;

namespace ActorMlp.Cluster.Links;

/// <summary>
/// The coordinator's tensor endpoint: one TCP connection per worker. Each connection has a reader
/// thread that reads subtree frames straight into pooled buffers and announces them to the coordinator
/// actor, and a sender thread that writes weight snapshots in order, so a slow worker never blocks the actor.
/// </summary>
internal sealed class TensorServer : IDisposable
{
    readonly TcpListener _listener;
    readonly long _token;
    readonly BufferPool _nodes;
    readonly IActorRef _owner;
    readonly int _socketBuffer;
    readonly Action<string> _warn;
    readonly NodeTrust? _trust;
    readonly Hosting.LogThrottle _refusals = new(TimeSpan.FromSeconds(10));
    readonly ConcurrentDictionary<string, Connection> _connections = new();
    readonly ConcurrentDictionary<string, byte> _admitted = new();
    readonly bool _reportWrites;
    readonly DataShipper? _data;
    volatile bool _disposed;
    int _awaitingHello;

    /// <summary>How long a new connection may take to say hello before it is closed (a silent client must not hold a thread).</summary>
    internal TimeSpan HelloTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections that have not said hello yet, at most; more are closed at once.</summary>
    internal int MaxAwaitingHello { get; init; } = 64;

    /// <summary>host:port that workers connect to: the advertised address, which need not be the one bound.</summary>
    public string Endpoint { get; }

    /// <summary>host:port the listener bound.</summary>
    public string Bound { get; }

    /// <param name="reportWrites">Tell the owner when each weights frame was written (<see cref="WeightsWritten"/>): only a traced run needs it, and it is a message per worker and step.</param>
    /// <param name="data">The run's data pack, for workers that come without data; null when this endpoint ships none.</param>
    /// <param name="advertise">The endpoint workers are told, from the port bound (Hosting.TensorAddress); null: the bound host and port.</param>
    public TensorServer(string host, int port, long token, BufferPool nodes, IActorRef owner, int socketBuffer, Action<string> warn, NodeTrust? trust = null,
        bool reportWrites = false, DataShipper? data = null, Func<int, string>? advertise = null)
    {
        _data = data;
        _reportWrites = reportWrites;
        _trust = trust;
        _token = token;
        _nodes = nodes;
        _owner = owner;
        _socketBuffer = socketBuffer;
        _warn = warn;
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First(a => a.AddressFamily == AddressFamily.InterNetwork);
        _listener = new TcpListener(address, port);
        _listener.Start();
        int bound = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Bound = $"{host}:{bound}";
        Endpoint = advertise?.Invoke(bound) ?? Bound;
        new Thread(AcceptLoop) { IsBackground = true, Name = "tensor-accept" }.Start();
    }

    /// <summary>
    /// Queues the snapshot for the worker's connection, with the leaves [first, end) it is to compute on
    /// them; a worker without a connection is skipped (its failure is reported separately).
    /// </summary>
    public void SendWeights(string workerId, WeightsSnapshot snapshot, int first = 0, int end = 0)
    {
        if (_connections.TryGetValue(workerId, out var connection)) connection.Enqueue(snapshot, first, end);
    }

    /// <summary>Lets <paramref name="workerId"/> open a connection: only registered workers may, so a hello with a made-up or another worker's id is refused.</summary>
    public void Admit(string workerId) => _admitted[workerId] = 0;

    /// <summary>Closes a worker's connection, e.g. after the coordinator has given it up; it must register again to reconnect.</summary>
    public void Close(string workerId)
    {
        _admitted.TryRemove(workerId, out _);
        if (_connections.TryRemove(workerId, out var connection)) connection.Dispose();
    }

    void AcceptLoop()
    {
        while (!_disposed)
        {
            TcpClient client;
            try { client = _listener.AcceptTcpClient(); }
            catch (Exception) when (_disposed) { return; }
            catch (SocketException e) { _warn($"tensor endpoint accept failed: {e.Message}"); continue; }
            if (Interlocked.Increment(ref _awaitingHello) > MaxAwaitingHello)
            {
                Interlocked.Decrement(ref _awaitingHello);
                Refuse($"a tensor connection from {client.Client.RemoteEndPoint} was refused: {MaxAwaitingHello} connections are already waiting to say hello");
                client.Dispose();
                continue;
            }
            new Thread(() => Serve(client)) { IsBackground = true, Name = "tensor-read" }.Start();
        }
    }

    void Serve(TcpClient client)
    {
        string? workerId = null;
        Connection? connection = null;
        bool greeted = false;
        string remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
        try
        {
            Configure(client, _socketBuffer);
            client.ReceiveTimeout = (int)HelloTimeout.TotalMilliseconds;
            // With TLS, reads in blocks and writes a frame's records a few at a time, the rest at its flush (RecordBatchStream).
            var stream = SecureLink.Accept(client, _trust, SecureLink.Block, batchWrites: true);
            var headerBytes = new byte[FrameHeader.Size];
            stream.ReadExactly(headerBytes.AsSpan(0, 4));
            if (_data is not null && DataFrameHeader.Opens(headerBytes))
            {
                greeted = true;
                Interlocked.Decrement(ref _awaitingHello);
                _data.Serve(client, stream, headerBytes, _token);
                return;
            }
            stream.ReadExactly(headerBytes.AsSpan(4));
            var hello = FrameHeader.Read(headerBytes);
            if (hello.Kind != FrameKind.Hello || hello.Length is < 1 or > 1024)
                throw new InvalidDataException("the first frame is not a hello");
            var id = new byte[hello.Length];
            stream.ReadExactly(id);
            workerId = Encoding.UTF8.GetString(id);
            if (hello.RunToken != _token) throw new InvalidDataException($"worker {workerId} connected with the token of another run");
            if (!_admitted.ContainsKey(workerId)) throw new InvalidDataException($"'{workerId}' is not a registered worker of this run");
            client.ReceiveTimeout = 0;
            greeted = true;
            Interlocked.Decrement(ref _awaitingHello);

            connection = new Connection(client, stream, _token, workerId, _warn, _reportWrites ? _owner : null);
            if (_connections.TryGetValue(workerId, out var previous)) previous.Dispose();
            _connections[workerId] = connection;
            _owner.Tell(new LinkOpened(workerId));

            var scratch = new byte[64 * 1024];
            ushort[]? half = null;
            while (true)
            {
                stream.ReadExactly(headerBytes);
                var h = FrameHeader.Read(headerBytes);
                if (h.Kind == FrameKind.Timing)
                {
                    if (h.Length != StepTiming.Size) throw new InvalidDataException($"a timing frame of {h.Length} bytes where {StepTiming.Size} are expected");
                    stream.ReadExactly(scratch.AsSpan(0, StepTiming.Size));
                    if (h.RunToken == _token)
                        _owner.Tell(new WorkerTimed(workerId, h.Step, StepTiming.Read(scratch), System.Diagnostics.Stopwatch.GetTimestamp()));
                    continue;
                }
                if (h.Kind is not (FrameKind.Subtree or FrameKind.Subtree16)) throw new InvalidDataException($"a {h.Kind} frame from a worker");
                bool bf16 = h.Kind == FrameKind.Subtree16;
                if (h.Length != _nodes.Length)
                {
                    _warn($"rejected a subtree of step {h.Step} from worker {workerId}: {h.Length} values where {_nodes.Length} are expected");
                    Skip(stream, bf16 ? (long)SubtreeWire16.Length(h.Length) * sizeof(ushort) : (long)h.Length * sizeof(float), scratch);
                    continue;
                }
                var buffer = _nodes.Rent();
                if (bf16)
                {
                    half ??= new ushort[SubtreeWire16.Length(_nodes.Length)];
                    stream.ReadExactly(MemoryMarshal.AsBytes(half.AsSpan()));
                    SubtreeWire16.Widen(half, buffer);
                }
                else stream.ReadExactly(MemoryMarshal.AsBytes(buffer.AsSpan()));
                if (h.RunToken != _token)
                {
                    _nodes.Return(buffer);
                    Refuse($"dropped a subtree of step {h.Step} from worker {workerId} at {remote}: it carries another run's token");
                    continue;
                }
                _owner.Tell(new SubtreeArrived(workerId, h.Step, new TreeNode(h.Level, h.Index), buffer));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or InvalidDataException or ObjectDisposedException or EndOfStreamException)
        {
            if (workerId is not null && !_disposed && connection is not null && _connections.TryRemove(new(workerId, connection)))
                _owner.Tell(new LinkClosed(workerId, e.Message));
            else if (!greeted && !_disposed)
                Refuse($"a tensor connection from {remote} was refused: {e.Message}");
        }
        finally
        {
            if (!greeted) Interlocked.Decrement(ref _awaitingHello);
            connection?.Dispose();
            client.Dispose();
        }
    }

    /// <summary>Logs a refused connection; a flood of alike ones is written once per window (<see cref="Hosting.LogThrottle"/>).</summary>
    void Refuse(string message)
    {
        Watch.TrainingMetrics.FrameRefused();
        if (_refusals.Admit(message) is { } line) _warn(line);
    }

    static void Skip(Stream stream, long bytes, byte[] scratch)
    {
        while (bytes > 0)
        {
            int n = stream.Read(scratch, 0, (int)Math.Min(scratch.Length, bytes));
            if (n == 0) throw new EndOfStreamException();
            bytes -= n;
        }
    }

    internal static void Configure(TcpClient client, int socketBuffer)
    {
        client.NoDelay = true;
        client.SendBufferSize = socketBuffer;
        client.ReceiveBufferSize = socketBuffer;
    }

    public void Dispose()
    {
        _disposed = true;
        _listener.Stop();
        foreach (var c in _connections.Values) c.Dispose();
        _connections.Clear();
    }

    /// <summary>One worker's connection: snapshots are written in order by its own thread.</summary>
    sealed class Connection : IDisposable
    {
        readonly TcpClient _client;
        readonly Stream _stream;
        readonly BlockingCollection<(WeightsSnapshot Snapshot, int First, int End)> _queue = new();
        readonly byte[] _header = new byte[FrameHeader.Size];

        readonly long _token;

        readonly string _workerId;
        readonly Action<string> _warn;
        readonly IActorRef? _writes;

        public Connection(TcpClient client, Stream stream, long token, string workerId, Action<string> warn, IActorRef? writes)
        {
            _writes = writes;
            _workerId = workerId;
            _warn = warn;
            _token = token;
            _client = client;
            _stream = stream;
            new Thread(SendLoop) { IsBackground = true, Name = "tensor-send" }.Start();
        }

        public void Enqueue(WeightsSnapshot snapshot, int first, int end)
        {
            snapshot.Retain();
            try { _queue.Add((snapshot, first, end)); }
            catch (InvalidOperationException) { snapshot.Release(); }
        }

        void SendLoop()
        {
            foreach (var (snapshot, first, end) in _queue.GetConsumingEnumerable())
            {
                try
                {
                    long start = System.Diagnostics.Stopwatch.GetTimestamp();
                    var kind = snapshot.Half is null ? FrameKind.Weights : FrameKind.Weights16;
                    new FrameHeader(kind, end - first, first, snapshot.Step, _token, snapshot.Values.Length).Write(_header);
                    _stream.Write(_header);
                    if (snapshot.Half is { } half) _stream.Write(MemoryMarshal.AsBytes(half.AsSpan()));
                    else _stream.Write(MemoryMarshal.AsBytes(snapshot.Values.AsSpan()));
                    _stream.Flush();
                    _writes?.Tell(new WeightsWritten(_workerId, snapshot.Step, start, System.Diagnostics.Stopwatch.GetTimestamp()));
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
                {
                    if (!_queue.IsAddingCompleted) _warn($"sending step {snapshot.Step}'s weights to worker {_workerId} failed: {e.Message}");
                    _client.Close(); // the reader sees the broken connection and reports it
                }
                finally { snapshot.Release(); }
            }
        }

        public void Dispose()
        {
            _queue.CompleteAdding();
            _client.Close();
        }
    }
}
