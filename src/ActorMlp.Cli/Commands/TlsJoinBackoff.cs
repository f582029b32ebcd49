using ActorMlp.Cli.CommandLine;
using ActorMlp.Cluster.Security;
using Akka.Actor;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// A worker whose node Akka shut down because a TLS handshake with the cluster failed (certificates
/// of two authorities, say): a fresh node would fail the same way within a second, so the worker says
/// why once, waits longer before each next node (1 s, doubling, at most the join timeout) and gives
/// up once it has seen only failed handshakes for the join timeout.
/// </summary>
internal sealed class TlsJoinBackoff(TimeSpan limit, NodeTrust? trust, string worker)
{
    static readonly TimeSpan FirstPause = TimeSpan.FromSeconds(1);

    DateTime? _since;
    TimeSpan _pause = FirstPause;
    bool _said;

    /// <summary>The node ended because one of its TLS handshakes failed (Akka runs its coordinated shutdown for that).</summary>
    // Akka.Remote's reason type is internal: known by its name, which the worker's TLS process test pins.
    public static bool Ended(ActorSystem system) => CoordinatedShutdown.Get(system).ShutdownReason?.GetType().FullName == HandshakeFailure;

    const string HandshakeFailure = "Akka.Remote.Transport.DotNetty.TlsHandshakeFailureReason";

    /// <summary>
    /// How long to wait before the next node, after a node that ended on a failed handshake. The first
    /// time it also writes why to <paramref name="output"/>; past the limit it throws the
    /// <see cref="UsageException"/> the worker exits with.
    /// </summary>
    /// <param name="joining">Whom the node was joining (the seed nodes, or how it finds the cluster).</param>
    public TimeSpan Failed(TextWriter output, string joining, DateTime now)
    {
        _since ??= now;
        var spent = now - _since.Value;
        if (spent >= limit)
            throw new UsageException($"{Reason(joining)}; no handshake succeeded for {limit.TotalSeconds:F0} s (actormlp.cluster.join-timeout), so the worker gives up");
        if (!_said) output.WriteLine($"worker {worker}: {Reason(joining)}; trying again with a growing pause, for up to {limit.TotalSeconds:F0} s");
        _said = true;
        var pause = _pause < limit - spent ? _pause : limit - spent;
        _pause = _pause * 2 < limit ? _pause * 2 : limit;
        return pause;
    }

    /// <summary>The node ended otherwise, or joined: the next failed handshake starts the count again.</summary>
    public void Reset()
    {
        _since = null;
        _pause = FirstPause;
        _said = false;
    }

    // This node checks the coordinator's certificate first: with two authorities it is this side that
    // refuses, and the refusal names both. Otherwise the coordinator refused this node's certificate.
    string Reason(string joining) => $"the TLS handshake with {joining} failed: "
        + (trust?.LastAkkaRefusal is { } why
            ? $"the coordinator's certificate {why}"
            : "the coordinator refused this worker's certificate")
        + " (the coordinator and its workers need certificates of one authority: --tls-ca, --tls-certificate)";
}
