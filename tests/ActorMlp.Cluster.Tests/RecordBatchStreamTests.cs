using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Security;
using Akka.Actor;

namespace ActorMlp.Cluster.Tests;

/// <summary>A TLS tensor link writes a frame in a few large socket writes, not a record (16 KiB) at a time, and loses no byte doing so.</summary>
public sealed class RecordBatchStreamTests
{
    static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>The socket's stream, counting the writes that reach it.</summary>
    sealed class CountingStream(Stream inner) : Stream
    {
        public int Writes;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Writes++;
            inner.Write(buffer);
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    static NodeTrust Trust(X509Certificate2 authority, string name)
        => new(X509CertificateLoader.LoadCertificate(authority.RawData),
            CertificateFactory.CreateNode(authority, name, ["127.0.0.1"], Now.AddMinutes(-5), Now.AddDays(1)));

    [Fact]
    public void A_header_and_a_payload_of_many_records_reach_the_socket_in_writes_of_several_records_and_arrive_whole()
    {
        var authority = CertificateFactory.CreateAuthority($"test CA {Guid.NewGuid():N}", Now.AddMinutes(-5), Now.AddDays(1));
        var serverTrust = Trust(authority, "server");
        var clientTrust = Trust(authority, "client");
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        client.Connect(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = listener.AcceptTcpClient();
        listener.Stop();
        var serverSide = Task.Run(() => SecureLink.Accept(accepted, serverTrust, 256 * 1024));

        var socket = new CountingStream(client.GetStream());
        var batch = new RecordBatchStream(socket, 256 * 1024);
        using var ssl = new SslStream(batch);
        ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
        {
            TargetHost = "127.0.0.1",
            ClientCertificates = [clientTrust.Certificate],
            LocalCertificateSelectionCallback = (_, _, _, _, _) => clientTrust.Certificate,
            RemoteCertificateValidationCallback = (_, cert, _, _) => clientTrust.Refusal(cert) is null,
        });
        using var server = serverSide.Result;
        batch.BatchWrites = true;

        byte[] header = [.. Enumerable.Range(0, PeerFrameHeader.Size).Select(i => (byte)i)];
        var payload = new byte[100_000]; // 7 records
        Random.Shared.NextBytes(payload);
        int before = socket.Writes;
        ssl.Write(header);
        Assert.Equal(before, socket.Writes); // the header's record waits for the payload's
        ssl.Write(payload);
        ssl.Flush();
        // Eight records or more (the header's and the payload's, 100 KB) in writes of at most WriteBlock,
        // each holding whole records: one here, where a write a record made eight.
        Assert.InRange(socket.Writes - before, 1, (header.Length + payload.Length) / RecordBatchStream.WriteBlock + 2);

        var received = new byte[header.Length + payload.Length];
        server.ReadExactly(received);
        Assert.Equal([.. header, .. payload], received);
    }

    [Fact]
    public void Frames_larger_than_a_block_cross_tls_peer_links_whole_and_in_order()
    {
        var authority = CertificateFactory.CreateAuthority($"test CA {Guid.NewGuid():N}", Now.AddMinutes(-5), Now.AddDays(1));
        const int Floats = 200_000; // 800 KB: several blocks of the link
        using var receiver = new PeerLinks("b", "127.0.0.1", 0, 7, Floats, 64, ActorRefs.Nobody, 1 << 16, _ => { }, Trust(authority, "b"));
        using var sender = new PeerLinks("a", "127.0.0.1", 0, 7, Floats, 64, ActorRefs.Nobody, 1 << 16, _ => { }, Trust(authority, "a"));
        receiver.Admit("a");
        var frames = Enumerable.Range(0, 5).Select(f => Enumerable.Range(0, f % 2 == 0 ? Floats : 3).Select(i => (float)(i * 31 + f)).ToArray()).ToList();
        for (int f = 0; f < frames.Count; f++)
            Assert.True(sender.Send("b", receiver.Endpoint, new PeerFrameHeader(PeerFrameKind.Piece, 0, 0, 0, 1, f, 7, frames[f].Length), frames[f].AsSpan()));

        for (int f = 0; f < frames.Count; f++)
        {
            var limit = System.Diagnostics.Stopwatch.StartNew();
            PeerFrame frame;
            while (!receiver.TryTake(out frame)) { Assert.True(limit.ElapsedMilliseconds < 10_000, $"frame {f} did not arrive"); Thread.Sleep(2); }
            Assert.Equal(f, frame.Header.Step);
            Assert.True(MemoryMarshal.AsBytes(frames[f].AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(frame.Values.AsSpan())), $"frame {f} differs");
        }
    }
}
