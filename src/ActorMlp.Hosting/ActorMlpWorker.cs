using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Data;
using ActorMlp.Hosting.Settings;
using Akka.Actor;
using Akka.Configuration;

namespace ActorMlp.Hosting;

/// <summary>
/// A worker prepared from its options, as the actormlp worker command prepares one: its data loaded
/// (or fetched from the coordinator when it names none, or from-coordinator), and how it finds the cluster
/// checked by the command's own rules and sentences.
/// Unlike the command it does not start a fresh node when its node is removed from the cluster.
/// </summary>
public sealed class ActorMlpWorker
{
    readonly TaskCompletionSource<WorkerStopped> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal Config Config { get; }
    internal TrainSettings Settings { get; }
    public string Id { get; }
    public IReadOnlyList<Address> Seeds { get; }
    internal WorkerSetup Setup { get; }

    /// <summary>Why the worker stopped: the run ended, or the coordinator refused it (different data, another numeric class).</summary>
    public Task<WorkerStopped> Stopped => _stopped.Task;

    ActorMlpWorker(ActorMlpWorkerOptions options, Action<string>? log)
    {
        Config = options.ToConfig();
        Settings = TrainSettings.From(Config, options.OptionOf);
        Settings.UseKernel();
        Seeds = WorkerRecipe.Seeds(Config, Settings.Cluster, options.OptionOf);
        string id = Config.GetString("actormlp.cluster.worker-id") ?? "";
        Id = string.IsNullOrWhiteSpace(id) ? $"{Environment.MachineName}-{Environment.ProcessId}" : id;
        bool fetch = !options.Sets("actormlp.data.spec") || DataOptions.IsFromCoordinator(Settings.DataSpec);
        var data = fetch ? null : DataOptions.Load(Settings.DataSpec, Settings.DataDir, Settings.TestFraction, Settings.SplitSeed);
        log ??= _ => { };
        Setup = new WorkerSetup(Id, Settings.ThreadsPerWorker, data?.Train, data is null ? "" : TrainSettings.Fingerprint(data.Fingerprint()),
            Settings.Cluster, w => _stopped.TrySetResult(w), null,
            data is null ? WorkerRecipe.Fetcher(DataCache.Folder(Settings.CacheDir), Settings, line => log($"worker {Id}: {line}")) : null);
    }

    /// <summary>Prepares the worker; a bad option is refused with a <see cref="UsageException"/> naming the option and its key.</summary>
    public static ActorMlpWorker Prepare(ActorMlpWorkerOptions options, Action<string>? log = null) => new(options, log);
}
