using MessagePack;

namespace ActorMlp.Cluster.Protocol;

/// <summary>
/// The answer to a worker that registered without data (an empty fingerprint): the run's training
/// part as a data pack of Bytes bytes whose SHA-256 is Sha256, fingerprinted DataFingerprint, to be
/// fetched from the tensor endpoint Endpoint with RunToken (<see cref="Links.DataFrameHeader"/>).
/// With the pack in hand the worker registers again, naming the fingerprint.
/// </summary>
[MessagePackObject]
internal sealed record DataOffered(
    [property: Key(0)] string DataFingerprint,
    [property: Key(1)] long Bytes,
    [property: Key(2)] string Sha256,
    [property: Key(3)] string Endpoint,
    [property: Key(4)] long RunToken) : IProtocolMessage;
