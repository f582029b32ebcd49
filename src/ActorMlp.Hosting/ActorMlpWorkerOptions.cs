namespace ActorMlp.Hosting;

/// <summary>A hosted worker: where it joins and what it is called. Without <see cref="ActorMlpNodeOptions.Data"/> it fetches the run's data from the coordinator.</summary>
public sealed class ActorMlpWorkerOptions : ActorMlpNodeOptions
{
    /// <summary>The coordinator's address, akka.tcp://actormlp@HOST:PORT (akka.cluster.seed-nodes).</summary>
    public string[]? SeedNodes { get; set; }

    /// <summary>The worker's name in the run (actormlp.cluster.worker-id); empty: HOST-PID.</summary>
    public string? WorkerId { get; set; }

    /// <summary>Where fetched data is kept (actormlp.data.cache-dir).</summary>
    public string? CacheDir { get; set; }

    private protected override IEnumerable<(string Option, string Key, object? Value)> Own() =>
    [
        (nameof(SeedNodes), "akka.cluster.seed-nodes", SeedNodes),
        (nameof(WorkerId), "actormlp.cluster.worker-id", WorkerId),
        (nameof(CacheDir), "actormlp.data.cache-dir", CacheDir),
    ];
}
