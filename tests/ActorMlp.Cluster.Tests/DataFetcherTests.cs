using System.Collections.Concurrent;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Data;
using Akka.Actor;

namespace ActorMlp.Cluster.Tests;

/// <summary>
/// A worker's fetch of the run's data pack from a coordinator's tensor endpoint, through its cache
/// folder: a whole copy is used as it is, a damaged one fetched again, a partial one resumed.
/// </summary>
public sealed class DataFetcherTests : IDisposable
{
    // 2.4 MB of images: three chunks, the last one short.
    static readonly byte[] Pack = MakePack();
    const string Fingerprint = "pictures/3000+0/0123";

    readonly string _cache = Directory.CreateTempSubdirectory("actormlp-cache-tests-").FullName;
    readonly ConcurrentQueue<string> _log = new();
    readonly TensorServer _server;
    readonly DataOffered _offer;

    public DataFetcherTests()
    {
        var shipper = new DataShipper(Pack, Fingerprint) { Log = _log.Enqueue };
        _server = new TensorServer("127.0.0.1", 0, 7, new BufferPool(4), ActorRefs.Nobody, 1 << 16, _log.Enqueue, data: shipper);
        _offer = shipper.Offer(_server.Endpoint, 7);
    }

    public void Dispose()
    {
        _server.Dispose();
        Directory.Delete(_cache, recursive: true);
    }

    static byte[] MakePack()
    {
        var pixels = new byte[3000 * 800];
        new Random(11).NextBytes(pixels);
        var labels = Enumerable.Range(0, 3000).Select(i => (byte)(i % 10)).ToArray();
        return DataPack.Write("pictures", Fingerprint, new ImageDataset(pixels, labels, 800, "pictures", FeatureTransform.Uniform(800, 1f / 255f)));
    }

    DataFetched Fetch() => new DataFetcher(_cache, null, 1 << 16, _log.Enqueue).Fetch(_offer);

    string CacheFile => DataCache.PathFor(_cache, Fingerprint);

    [Fact]
    public void The_first_fetch_takes_the_pack_from_the_wire_and_a_second_one_from_the_cache()
    {
        Assert.True(Pack.Length > 2 * DataFrameHeader.ChunkBytes);
        var first = Fetch();
        Assert.Equal(Pack.Length, first.FetchedBytes);
        Assert.Equal(Pack, first.Pack);
        Assert.Equal(Pack, File.ReadAllBytes(CacheFile));
        Assert.False(File.Exists(CacheFile + ".part"));
        Assert.Contains(_log, l => l.Contains($"fetched {Pack.Length} bytes"));
        Assert.Contains(_log, l => l.Contains("%"));

        var second = Fetch();
        Assert.Equal(0, second.FetchedBytes);
        Assert.Equal(Pack, second.Pack);
        Assert.Contains(_log, l => l.Contains("fetched 0 bytes") && l.Contains("from the cache"));
    }

    [Fact]
    public void A_corrupt_cache_file_is_detected_and_fetched_again()
    {
        Fetch();
        var damaged = File.ReadAllBytes(CacheFile);
        damaged[damaged.Length / 2] ^= 1;
        File.WriteAllBytes(CacheFile, damaged);

        var again = Fetch();
        Assert.Equal(Pack.Length, again.FetchedBytes);
        Assert.Equal(Pack, again.Pack);
        Assert.Equal(Pack, File.ReadAllBytes(CacheFile));
        Assert.Contains(_log, l => l.Contains("is corrupt") && l.Contains("fetching it again"));
    }

    [Fact]
    public void A_cache_file_cut_short_is_fetched_again()
    {
        Fetch();
        File.WriteAllBytes(CacheFile, Pack[..1000]);
        var again = Fetch();
        Assert.Equal(Pack.Length, again.FetchedBytes);
        Assert.Equal(Pack, again.Pack);
    }

    [Fact]
    public void A_partial_copy_left_by_an_interrupted_transfer_is_resumed_from_its_length()
    {
        int kept = DataFrameHeader.ChunkBytes + 12345;
        Directory.CreateDirectory(_cache);
        File.WriteAllBytes(CacheFile + ".part", Pack[..kept]);

        var resumed = Fetch();
        Assert.Equal(Pack.Length - kept, resumed.FetchedBytes);
        Assert.Equal(Pack, resumed.Pack);
        Assert.Equal(Pack, File.ReadAllBytes(CacheFile));
        Assert.Contains(_log, l => l.Contains($"resuming from byte {kept}"));
    }

    [Fact]
    public void A_transfer_broken_off_midway_leaves_its_bytes_and_the_next_fetch_takes_only_the_rest()
    {
        using var stop = new CancellationTokenSource();
        // Broken off from inside the transfer, once its first progress line says a tenth is in.
        var breaking = new DataFetcher(_cache, null, 1 << 16, line => { if (line.Contains('%')) stop.Cancel(); });
        Assert.ThrowsAny<Exception>(() => breaking.Fetch(_offer, stop.Token));
        Assert.False(File.Exists(CacheFile));
        long kept = new FileInfo(CacheFile + ".part").Length;
        Assert.InRange(kept, 1, Pack.Length - 1);

        var resumed = Fetch();
        Assert.Equal(Pack.Length - kept, resumed.FetchedBytes);
        Assert.Equal(Pack, resumed.Pack);
    }

    [Fact]
    public void A_partial_copy_of_wrong_bytes_is_thrown_away_and_the_pack_fetched_from_the_start()
    {
        int kept = 500_000;
        var wrong = new byte[kept];
        new Random(3).NextBytes(wrong);
        File.WriteAllBytes(CacheFile + ".part", wrong);

        var fetched = Fetch();
        Assert.Equal(Pack.Length - kept + Pack.Length, fetched.FetchedBytes);
        Assert.Equal(Pack, fetched.Pack);
        Assert.Contains(_log, l => l.Contains("fetching it again from the start"));
    }

    [Fact]
    public void A_request_with_another_runs_token_is_refused_with_the_reason()
    {
        var e = Assert.Throws<IOException>(() => new DataFetcher(_cache, null, 1 << 16, _log.Enqueue).Fetch(_offer with { RunToken = 8 }));
        Assert.Equal("the coordinator refused the data transfer: the request carries the token of another run", e.Message);
        Assert.False(File.Exists(CacheFile));
    }

    [Fact]
    public void The_endpoint_of_a_peer_to_peer_coordinator_ships_the_pack_too()
    {
        var shipper = new DataShipper(Pack, Fingerprint);
        using var links = new PeerLinks("coordinator", "127.0.0.1", 0, 9, 4, 4, ActorRefs.Nobody, 1 << 16, _log.Enqueue, data: shipper);
        var fetched = new DataFetcher(_cache, null, 1 << 16, _log.Enqueue).Fetch(shipper.Offer(links.Endpoint, 9));
        Assert.Equal(Pack.Length, fetched.FetchedBytes);
        Assert.Equal(Pack, fetched.Pack);
    }
}
