using ActorMlp.Cluster.Protocol;
using Akka.Actor;

namespace ActorMlp.Cluster.Actors;

/// <summary>A worker the coordinator has taken in: who, where, how many cores; what each reduction tracks of it.</summary>
internal sealed class RegisteredWorker(string id, IActorRef actor, int cores, Address address)
{
    public string Id { get; } = id;
    public IActorRef Actor { get; } = actor;
    public int Cores { get; } = cores;
    public Address Address { get; } = address;

    /// <summary>Star: its tensor link is up. Peer: it has warmed up and listens on <see cref="Endpoint"/>.</summary>
    public bool Ready { get; set; }

    /// <summary>Star: the step whose weights it was last sent.</summary>
    public long WeightsStep { get; set; } = -1;

    /// <summary>Peer: where its peers reach it.</summary>
    public string? Endpoint { get; set; }
}

/// <summary>
/// The workers of a run as both coordinators keep them: by id, with every id ever taken in counted,
/// and the rule that a worker is refused when its data's fingerprint is not the run's.
/// </summary>
internal sealed class WorkerRoster
{
    readonly Dictionary<string, RegisteredWorker> _workers = new();
    readonly HashSet<string> _seen = new();

    public IEnumerable<RegisteredWorker> All => _workers.Values;

    /// <summary>Workers taken in over the run, lost ones included.</summary>
    public int Seen => _seen.Count;

    /// <summary>Why a registration is refused (its data differs, named on both sides), or null.</summary>
    public static string? Refusal(RegisterWorker m, string runFingerprint) => m.Fingerprint == runFingerprint ? null
        : $"worker {m.WorkerId} has data {m.Fingerprint}, but this run trains on {runFingerprint}";

    /// <summary>
    /// What a worker that registered without data (an empty fingerprint) is told: the offer of the run's
    /// data pack, or, when the coordinator cannot ship it, a refusal saying why in one sentence.
    /// </summary>
    public static IProtocolMessage AnswerWithoutData(RegisterWorker m, Links.DataShipper? data, string? endpoint, long token) =>
        data is null ? new WorkerRefused($"worker {m.WorkerId} has no data, and this coordinator has none to ship; start the worker with --data")
        : endpoint is null ? new WorkerRefused($"worker {m.WorkerId} has no data, and this run's tensors travel as Akka messages (tensor-link akka), which do not carry the training data; start the worker with --data, or the run with --tensor-link socket")
        : data.Offer(endpoint, token);

    public bool TryGet(string id, out RegisteredWorker worker) => _workers.TryGetValue(id, out worker!);

    public RegisteredWorker Add(RegisterWorker m, IActorRef actor)
    {
        var worker = new RegisteredWorker(m.WorkerId, actor, Math.Max(1, m.Cores), actor.Path.Address);
        _workers[m.WorkerId] = worker;
        _seen.Add(m.WorkerId);
        return worker;
    }

    public bool Remove(string id, out RegisteredWorker worker) => _workers.Remove(id, out worker!);

    public bool Contains(string id) => _workers.ContainsKey(id);

    public RegisteredWorker? ByActor(IActorRef actor) => _workers.Values.FirstOrDefault(w => w.Actor.Equals(actor));

    /// <summary>
    /// What a coordinator says when a worker reports that it cannot open its tensor link to the endpoint
    /// advertised (<paramref name="bound"/>: where the endpoint listens): the worker, the endpoint, the error, the
    /// setting. Said of a worker taken in whose link is not up (<paramref name="linked"/>) and, in a run that ships
    /// its data, of a worker without data that came for it; null for any other sender.
    /// </summary>
    public string? LinkFailure(TensorLinkFailed m, IActorRef sender, Func<RegisteredWorker, bool> linked, bool shipsData, string bound)
    {
        string who;
        if (_workers.TryGetValue(m.WorkerId, out var w))
        {
            if (!w.Actor.Equals(sender) || linked(w)) return null;
            who = $"worker {w.Id} at {w.Address} registered but cannot open its tensor link to {m.Endpoint}";
        }
        else if (shipsData) who = $"worker {m.WorkerId} at {sender.Path.Address} has no data and cannot open its tensor link to {m.Endpoint} to fetch it";
        else return null;
        return $"{who}, the tensor endpoint this coordinator advertises ({m.Reason}); it listens on {bound}: set actormlp.cluster.tensor-public-host "
               + "and tensor-public-port (--tensor-public-host, --tensor-public-port) to an address and port workers reach, or open that port to them";
    }

    /// <summary>"; registered but never connected a tensor link: w1, w2 (...)", naming the workers taken in whose link is not up; empty when there are none.</summary>
    public string Unlinked(Func<RegisteredWorker, bool> linked)
    {
        var ids = _workers.Values.Where(w => !linked(w)).Select(w => w.Id).Order(StringComparer.Ordinal).ToList();
        return ids.Count == 0 ? ""
            : $"; registered but never connected a tensor link: {string.Join(", ", ids)} (do they reach actormlp.cluster.tensor-public-host and tensor-public-port?)";
    }

    /// <summary>Ids of the workers on the node at <paramref name="address"/>.</summary>
    public List<string> At(Address address) => _workers.Values.Where(w => w.Address.Equals(address)).Select(w => w.Id).ToList();
}
