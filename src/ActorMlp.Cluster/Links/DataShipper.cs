using System.Diagnostics;
using System.Text;
using ActorMlp.Cluster.Protocol;

namespace ActorMlp.Cluster.Links;

/// <summary>
/// The coordinator's side of shipping the run's data pack: it answers a connection that opened with a
/// data Request (<see cref="DataFrameHeader"/>) on the tensor endpoint's own thread for that
/// connection, streaming the pack from the asked offset in big frames without waiting for the client,
/// so a transfer runs at the link's speed and never holds the coordinator actor.
/// The pack (<see cref="Data.DataPack"/>) is served from memory: it is the training part in its raw form, which the coordinator holds anyway.
/// </summary>
internal sealed record DataShipper(byte[] Pack, string DataFingerprint)
{
    /// <summary>How long a write to a client that has stopped reading may block before the transfer is given up (the client resumes later).</summary>
    public static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Where a transfer's end (or break) is reported.</summary>
    public Action<string> Log { get; init; } = _ => { };

    /// <summary>What a worker without data is told: this pack, at <paramref name="endpoint"/>, for the run of <paramref name="token"/>.</summary>
    public DataOffered Offer(string endpoint, long token) => new(DataFingerprint, Pack.Length, Data.DataPack.HashOf(Pack), endpoint, token);

    /// <summary>
    /// Serves one transfer on <paramref name="client"/>'s <paramref name="stream"/>, whose first four bytes were read already
    /// (<paramref name="first4"/>), the request still under the endpoint's hello timeout. Returns when the pack is sent or the
    /// client is gone (or stopped reading for <see cref="StallTimeout"/>); a request with another run's token or an offset past
    /// the end is answered with a Refused frame naming why.
    /// </summary>
    public void Serve(System.Net.Sockets.TcpClient client, Stream stream, ReadOnlySpan<byte> first4, long token)
    {
        string remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
        client.SendTimeout = (int)StallTimeout.TotalMilliseconds;
        var header = new byte[DataFrameHeader.Size];
        first4[..4].CopyTo(header);
        stream.ReadExactly(header.AsSpan(4, DataFrameHeader.Size - 4));
        var request = DataFrameHeader.Read(header);
        string? refusal = request.Kind != DataFrameKind.Request ? $"a {request.Kind} frame where a request was expected"
            : request.RunToken != token ? "the request carries the token of another run"
            : request.Offset > Pack.Length ? $"the request starts at byte {request.Offset} of a pack of {Pack.Length} bytes"
            : null;
        if (refusal is not null)
        {
            var reason = Encoding.UTF8.GetBytes(refusal);
            new DataFrameHeader(DataFrameKind.Refused, 0, token, reason.Length).Write(header);
            stream.Write(header);
            stream.Write(reason);
            stream.Flush();
            Log($"refused a data transfer to {remote}: {refusal}");
            return;
        }
        var clock = Stopwatch.StartNew();
        long at = request.Offset;
        try
        {
            while (at < Pack.Length)
            {
                int n = (int)Math.Min(DataFrameHeader.ChunkBytes, Pack.Length - at);
                new DataFrameHeader(DataFrameKind.Chunk, at, token, n).Write(header);
                stream.Write(header);
                stream.Write(Pack.AsSpan((int)at, n));
                at += n;
            }
            stream.Flush();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The worker resumes from what it has when it asks again.
            Log($"the data transfer to {remote} stopped at byte {at} of {Pack.Length}: {e.Message}");
            return;
        }
        long sent = Pack.Length - request.Offset;
        Log($"sent the data pack to {remote}: {sent} bytes from byte {request.Offset} in {clock.Elapsed.TotalSeconds:F2} s");
    }
}
