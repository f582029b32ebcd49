using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace ActorMlp.Cluster.Security;

/// <summary>
/// The stream of a tensor-link connection: the socket's own stream, or with <see cref="NodeTrust"/>
/// a mutually authenticated <see cref="SslStream"/> over it. The handshake runs under the socket's
/// receive timeout, so a peer that never finishes it cannot hold the thread.
/// </summary>
public static class SecureLink
{
    /// <summary>The accepting side; throws an <see cref="IOException"/> naming the reason when the peer is refused.</summary>
    public static Stream Accept(TcpClient client, NodeTrust? trust)
    {
        var stream = client.GetStream();
        if (trust is null) return stream;
        string? refusal = null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            ssl.AuthenticateAsServer(new SslServerAuthenticationOptions
            {
                ServerCertificate = trust.Certificate,
                ClientCertificateRequired = true,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, cert, _, _) => (refusal = trust.Refusal(cert)) is null,
            });
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            ssl.Dispose();
            throw new IOException($"TLS handshake refused: {refusal ?? e.GetBaseException().Message}", e);
        }
    }

    /// <summary>The connecting side, to <paramref name="host"/>; throws an <see cref="IOException"/> naming the reason when refused.</summary>
    public static Stream Connect(TcpClient client, string host, NodeTrust? trust)
    {
        var stream = client.GetStream();
        if (trust is null) return stream;
        string? refusal = null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
            {
                TargetHost = host,
                ClientCertificates = [trust.Certificate],
                LocalCertificateSelectionCallback = (_, _, _, _, _) => trust.Certificate,
                CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, cert, _, _) => (refusal = trust.Refusal(cert)) is null,
            });
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            ssl.Dispose();
            throw new IOException($"TLS handshake refused: {refusal ?? e.GetBaseException().Message}", e);
        }
    }
}
