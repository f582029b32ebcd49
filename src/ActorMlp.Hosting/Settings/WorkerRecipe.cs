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
    /// <summary>
    /// How a worker finds the cluster: akka.cluster.seed-nodes as addresses, or none where discovery
    /// finds it. Refuses neither and both, discovery by config without endpoints, and Kubernetes
    /// discovery outside a pod. <paramref name="name"/> gives a key as the caller's user sets it (a
    /// flag, an option; null: the key itself), so each refusal names what to change.
    /// </summary>
    public static List<Address> Seeds(Config config, ClusterSettings cluster, Func<string, string?> name)
    {
        string seed = name("akka.cluster.seed-nodes") ?? "akka.cluster.seed-nodes";
        string method = name("actormlp.discovery.method") ?? "actormlp.discovery.method";
        string endpoints = name("actormlp.discovery.endpoints") is { } flag ? $"{flag} HOST:PORT,.. (actormlp.discovery.endpoints)" : "actormlp.discovery.endpoints = [HOST:PORT, ..]";
        var seeds = new List<Address>();
        foreach (var text in config.GetStringList("akka.cluster.seed-nodes"))
            seeds.Add(Address.TryParse(text, out var address)
                // Akka names the TLS transport akka.ssl.tcp; the node's own setting decides, whichever the seed was written with.
                ? address.WithProtocol(cluster.Trust is null ? "akka.tcp" : "akka.ssl.tcp")
                : throw new UsageException($"{seed} '{Excerpt.Of(text, Excerpt.Name)}' is not an address like akka.tcp://actormlp@HOST:PORT"));
        var discovery = cluster.Discovery;
        string way = discovery.Method == DiscoveryMethod.Config ? "config" : "kubernetes";
        if (seeds.Count == 0 && !discovery.UsesBootstrap)
            throw new UsageException($"a worker needs {seed} akka.tcp://actormlp@HOST:PORT (the coordinator), or {method} config|kubernetes");
        if (seeds.Count > 0 && discovery.UsesBootstrap)
            throw new UsageException($"{seed} and {method} {way} both say how to find the cluster; give one (seed nodes are for {method} seed-nodes)");
        if (discovery.Method == DiscoveryMethod.Config && discovery.Endpoints.Count == 0)
            throw new UsageException($"{method} config needs {endpoints}: the management endpoint of the coordinator, such as 10.0.0.1:8558");
        if (discovery.Method == DiscoveryMethod.Kubernetes && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST")))
            throw new UsageException($"{method} kubernetes asks the Kubernetes API for the run's pods, and this process is not in a pod (KUBERNETES_SERVICE_HOST is not set); use {method} config or {seed} outside Kubernetes");
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
