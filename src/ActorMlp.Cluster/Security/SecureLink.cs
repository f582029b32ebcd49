using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace ActorMlp.Cluster.Security;

/// <summary>
/// The stream of a tensor-link connection: the socket's own stream, or with <see cref="NodeTrust"/>
/// a mutually authenticated <see cref="SslStream"/> over it. The handshake runs under the socket's
/// receive timeout, so a peer that never finishes it cannot hold the thread.
/// </summary>
internal static class SecureLink
{
    // AES-128-GCM first: the tensor links move hundreds of MB/s, and it costs about a tenth less CPU
    // per byte than TLS 1.3's usual AES-256 through SslStream (measured on AVX2 + AES-NI). Only
    // OpenSSL platforms take a policy; elsewhere the system's order stands.
    static readonly CipherSuitesPolicy? Suites = OperatingSystem.IsLinux() || OperatingSystem.IsFreeBSD()
        ? new CipherSuitesPolicy([TlsCipherSuite.TLS_AES_128_GCM_SHA256, TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256])
        : null;

    /// <summary>The block a tensor link's TLS stream reads and gathers its writes in (<see cref="RecordBatchStream"/>): sixteen records.</summary>
    public const int Block = 256 * 1024;

    /// <summary>The accepting side; throws an <see cref="IOException"/> naming the reason when the peer is refused.</summary>
    /// <param name="readBlock">With TLS and more than 0: the socket is read in blocks of this many bytes (<see cref="RecordBatchStream"/>).</param>
    /// <param name="batchWrites">With a read block: writes are gathered as <see cref="Connect"/>'s are, so the caller flushes after each frame.</param>
    public static Stream Accept(TcpClient client, NodeTrust? trust, int readBlock = 0, bool batchWrites = false) => Handshake(client, trust, readBlock, batchWrites, (ssl, check) =>
        ssl.AuthenticateAsServer(new SslServerAuthenticationOptions
        {
            ServerCertificate = trust!.Certificate,
            ClientCertificateRequired = true,
            CipherSuitesPolicy = Suites,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = check,
        }));

    /// <summary>The connecting side, to <paramref name="host"/>; throws an <see cref="IOException"/> naming the reason when refused.</summary>
    /// <param name="batch">
    /// With TLS and more than 0: the socket is read in blocks of this many bytes and, after the handshake,
    /// gathered in writes of up to <see cref="RecordBatchStream.WriteBlock"/>, the rest when the caller flushes the stream (<see cref="RecordBatchStream"/>).
    /// </param>
    public static Stream Connect(TcpClient client, string host, NodeTrust? trust, int batch = 0)
        => Handshake(client, trust, batch, batchWrites: true, (ssl, check) =>
        ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            CipherSuitesPolicy = Suites,
            ClientCertificates = [trust!.Certificate],
            LocalCertificateSelectionCallback = (_, _, _, _, _) => trust.Certificate,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = check,
        }));

    /// <summary>Either side's handshake, with the peer checked by <see cref="NodeTrust.Refusal"/> and its reason kept for the error.</summary>
    static Stream Handshake(TcpClient client, NodeTrust? trust, int batch, bool batchWrites, Action<SslStream, RemoteCertificateValidationCallback> authenticate)
    {
        var stream = client.GetStream();
        if (trust is null) return stream;
        string? refusal = null;
        var socket = batch > 0 ? new RecordBatchStream(stream, batch) : null;
        var ssl = new SslStream(socket ?? (Stream)stream, leaveInnerStreamOpen: false);
        try
        {
            authenticate(ssl, (_, cert, _, _) => (refusal = trust.Refusal(cert)) is null);
            if (socket is not null) socket.BatchWrites = batchWrites;
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            ssl.Dispose();
            throw new IOException($"TLS handshake refused: {refusal ?? e.GetBaseException().Message}", e);
        }
    }
}
