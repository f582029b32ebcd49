using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Cluster.Security;
using ActorMlp.Data;

namespace ActorMlp.Cluster.Links;

/// <summary>A data pack in hand: its bytes, checked; its cache file; what this start fetched for it and in how long.</summary>
internal sealed record DataFetched(byte[] Pack, string Path, long FetchedBytes, double Seconds);

/// <summary>
/// A worker's side of shipping the data: the offered pack from the cache when a checked copy is
/// there, else from the coordinator's tensor endpoint (<see cref="DataShipper"/>) into FILE.part, which
/// a later start resumes from its length; checked against the offer's size and SHA-256, then renamed
/// to FILE. A cache file or a finished part that does not check out is deleted and fetched again from
/// the start. A lock file keeps two workers sharing a cache folder from writing the same part.
/// </summary>
internal sealed class DataFetcher(string cacheFolder, NodeTrust? trust, int socketBuffer, Action<string> log)
{
    static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);
    static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(3);

    /// <summary>The offered pack, checked; <see cref="DataFetched.Pack"/> needs no second check (<see cref="DataPack.Read"/>'s checkedAlready).</summary>
    public DataFetched Fetch(DataOffered offer, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(cacheFolder);
        string path = DataCache.PathFor(cacheFolder, offer.DataFingerprint);
        using var _ = Lock(path + ".lock", cancel);
        if (File.Exists(path))
        {
            var cached = File.ReadAllBytes(path);
            if (Mismatch(cached, offer, path, default) is not { } problem)
            {
                log($"data {offer.DataFingerprint}: fetched 0 bytes in {clock.Elapsed.TotalSeconds:F2} s, from the cache {path}");
                return new DataFetched(cached, path, 0, clock.Elapsed.TotalSeconds);
            }
            log($"the cached {problem}; fetching it again");
            File.Delete(path);
        }
        string part = path + ".part";
        long fetched = 0;
        for (int attempt = 0; ; attempt++)
        {
            var (pack, received, hash) = Receive(offer, part, cancel);
            fetched += received;
            if (Mismatch(pack, offer, part, hash) is not { } problem)
            {
                // No fsync: a file damaged by a crash fails this same check at the next start and is fetched again.
                File.Move(part, path, overwrite: true);
                double seconds = clock.Elapsed.TotalSeconds;
                log($"data {offer.DataFingerprint}: fetched {fetched} bytes in {seconds:F2} s ({Rate(fetched, seconds)}) into {path}");
                return new DataFetched(pack, path, fetched, seconds);
            }
            File.Delete(part);
            // A part kept from an earlier start can hold bytes of another pack or a damaged disk block; one more try from byte 0.
            if (attempt > 0) throw new IOException($"the fetched {problem}");
            log($"the fetched {problem}; fetching it again from the start");
        }
    }

    /// <summary>Why <paramref name="pack"/> is not the offered pack, as a phrase about <paramref name="file"/>, or null when it is.</summary>
    static string? Mismatch(byte[] pack, DataOffered offer, string file, ReadOnlySpan<byte> hashed)
    {
        if (pack.Length != offer.Bytes) return $"data pack {file} has {pack.Length} bytes where the coordinator offers {offer.Bytes}";
        if (DataPack.HashOf(pack) != offer.Sha256) return $"data pack {file} is not the one the coordinator offers (SHA-256 {offer.Sha256})";
        return DataPack.Problem(pack, file, hashed);
    }

    /// <summary>
    /// Appends the pack from the part's length to its end, keeping it in memory too (it is read next);
    /// returns the whole pack, unchecked, the bytes received and the SHA-256 of what the pack's own
    /// covers, taken as the bytes came: on a real link hashing a chunk takes less than receiving it.
    /// </summary>
    (byte[] Pack, long Received, byte[] Hash) Receive(DataOffered offer, string part, CancellationToken cancel)
    {
        if (offer.Bytes <= 0 || offer.Bytes > Array.MaxLength) throw new IOException($"the coordinator offers a data pack of {offer.Bytes} bytes");
        using var file = new FileStream(part, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        var pack = new byte[offer.Bytes];
        long have = file.Length;
        if (have > offer.Bytes)
        {
            file.SetLength(0);
            have = 0;
        }
        file.ReadExactly(pack.AsSpan(0, (int)have));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long hashEnd = DataPack.HashedLength(offer.Bytes);
        hash.AppendData(pack, 0, (int)Math.Min(have, hashEnd));
        if (have == offer.Bytes) return (pack, 0, hash.GetHashAndReset());
        if (have > 0) log($"data {offer.DataFingerprint}: resuming from byte {have} of {offer.Bytes} kept in {part}");

        int colon = offer.Endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(offer.Endpoint[(colon + 1)..], out int port))
            throw new IOException($"the coordinator offers data at '{offer.Endpoint}', which is not host:port");
        string host = offer.Endpoint[..colon];
        using var client = new TcpClient();
        using var stop = cancel.Register(client.Dispose);
        TensorServer.Configure(client, socketBuffer);
        if (!client.ConnectAsync(host, port, cancel).AsTask().Wait(ConnectTimeout))
            throw new IOException($"no connection to the coordinator's tensor endpoint {offer.Endpoint} within {ConnectTimeout.TotalSeconds:F0} s");
        client.ReceiveTimeout = (int)ConnectTimeout.TotalMilliseconds;
        var stream = SecureLink.Connect(client, host, trust);
        var header = new byte[DataFrameHeader.Size];
        new DataFrameHeader(DataFrameKind.Request, have, offer.RunToken, 0).Write(header);
        stream.Write(header);

        var clock = Stopwatch.StartNew();
        long start = have, lastAt = 0;
        int lastTenth = (int)(have * 10 / offer.Bytes);
        while (have < offer.Bytes)
        {
            stream.ReadExactly(header);
            var h = DataFrameHeader.Read(header);
            if (h.Kind == DataFrameKind.Refused)
            {
                var reason = new byte[Math.Min(h.Length, 1024)];
                stream.ReadExactly(reason);
                throw new IOException($"the coordinator refused the data transfer: {Encoding.UTF8.GetString(reason)}");
            }
            if (h.Kind != DataFrameKind.Chunk || h.Offset != have || h.Length > offer.Bytes - have)
                throw new InvalidDataException($"a data frame ({h.Kind}, {h.Length} bytes at {h.Offset}) where a chunk at byte {have} was expected");
            var chunk = pack.AsSpan((int)have, h.Length);
            stream.ReadExactly(chunk);
            file.Write(chunk);
            if (have < hashEnd) hash.AppendData(chunk[..(int)Math.Min(chunk.Length, hashEnd - have)]);
            have += h.Length;
            int tenth = (int)(have * 10 / offer.Bytes);
            if (have < offer.Bytes && (tenth > lastTenth || clock.ElapsedMilliseconds - lastAt >= ProgressEvery.TotalMilliseconds))
            {
                lastTenth = tenth;
                lastAt = clock.ElapsedMilliseconds;
                log($"data {offer.DataFingerprint}: {have} of {offer.Bytes} bytes ({100.0 * have / offer.Bytes:F0}%), {Rate(have - start, clock.Elapsed.TotalSeconds)}");
            }
        }
        return (pack, have - start, hash.GetHashAndReset());
    }

    /// <summary>Holds <paramref name="path"/> open exclusively until disposed, waiting while another worker holds it.</summary>
    FileStream Lock(string path, CancellationToken cancel)
    {
        bool said = false;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (File.Exists(path))
            {
                if (!said) log($"another worker is fetching into {Path.GetDirectoryName(path)}; waiting for it");
                said = true;
                if (cancel.WaitHandle.WaitOne(200)) throw new OperationCanceledException(cancel);
            }
        }
    }

    static string Rate(long bytes, double seconds) => seconds <= 0 ? "—" : $"{bytes / seconds / 1e6:F1} MB/s";
}
