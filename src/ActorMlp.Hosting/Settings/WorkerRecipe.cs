using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Protocol;
using ActorMlp.Core.Training;
using ActorMlp.Data;
using Akka.Actor;
using Akka.Configuration;

namespace ActorMlp.Hosting.Settings;

/// <summary>What the worker command and a hosted worker both need: where to join, and how to get the run's data from the coordinator.</summary>
internal static class WorkerRecipe
{
    /// <summary>akka.cluster.seed-nodes as addresses; <paramref name="name"/> is what sets them, for the error.</summary>
    public static List<Address> Seeds(Config config, ClusterSettings cluster, string name)
    {
        var seeds = new List<Address>();
        foreach (var seed in config.GetStringList("akka.cluster.seed-nodes"))
            seeds.Add(Address.TryParse(seed, out var address)
                // Akka names the TLS transport akka.ssl.tcp; the node's own setting decides, whichever the seed was written with.
                ? address.WithProtocol(cluster.Trust is null ? "akka.tcp" : "akka.ssl.tcp")
                : throw new UsageException($"{name} '{Excerpt.Of(seed, Excerpt.Name)}' is not an address like akka.tcp://actormlp@HOST:PORT"));
        return seeds;
    }

    /// <summary>Turns the coordinator's offer into samples: the checked pack from the cache or the wire, read, its fingerprint the offered one.</summary>
    public static Func<DataOffered, CancellationToken, (ISampleSource, string)> Fetcher(string cache, TrainSettings s, Action<string> log)
    {
        var fetcher = new DataFetcher(cache, s.Cluster.Trust, s.Cluster.SocketBufferBytes, log);
        return (offer, cancel) =>
        {
            var fetched = fetcher.Fetch(offer, cancel);
            var pack = DataPack.Read(fetched.Pack, fetched.Path, checkedAlready: true);
            if (pack.Fingerprint != offer.DataFingerprint)
                throw new DataException($"data pack {fetched.Path} holds data {pack.Fingerprint}, but the coordinator offered {offer.DataFingerprint}");
            return (pack.Train, TrainSettings.Fingerprint(pack.Fingerprint));
        };
    }
}
