using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace ActorMlp.Cluster.Security;

/// <summary>
/// What a node of a TLS run trusts and who it is: the cluster's certificate authority and this node's
/// certificate with its private key. Every connection on both planes (Akka remoting, tensor links) is
/// mutually authenticated against the same authority.
/// Invariant: a peer is accepted exactly when its certificate chains to <see cref="Authority"/> alone
/// (the operating system's trust store plays no part), is in date and allows client and server use;
/// the name in it is not checked against the address, since nodes connect by IP to per-node
/// certificates (any holder of a certificate from the cluster's authority is a member).
/// </summary>
public sealed class NodeTrust
{
    static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    public X509Certificate2 Authority { get; }
    public X509Certificate2 Certificate { get; }

    public NodeTrust(X509Certificate2 authority, X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey) throw new ArgumentException($"the node certificate {certificate.Subject} has no private key");
        Authority = authority;
        Certificate = certificate;
        if (Refusal(certificate) is { } why) throw new ArgumentException($"the node certificate {certificate.Subject} is not one this cluster accepts: {why}");
    }

    /// <summary>
    /// Loads the authority (PEM or DER) and the node's PKCS#12 file; the message of the
    /// <see cref="ArgumentException"/> names the key and the file at fault.
    /// </summary>
    public static NodeTrust Load(string authorityPath, string certificatePath, string password, string keyPrefix)
    {
        X509Certificate2 authority, certificate;
        try { authority = X509CertificateLoader.LoadCertificateFromFile(authorityPath); }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{keyPrefix}ca: cannot read the certificate authority '{authorityPath}': {e.Message}", e);
        }
        try { certificate = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password); }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{keyPrefix}certificate: cannot read the node certificate '{certificatePath}' (PKCS#12, with {keyPrefix}certificate-password): {e.Message}", e);
        }
        try { return new NodeTrust(authority, certificate); }
        catch (ArgumentException e) { throw new ArgumentException($"{keyPrefix}certificate '{certificatePath}': {e.Message}", e); }
    }

    /// <summary>Why <paramref name="peer"/> is refused, or null when it belongs to the cluster.</summary>
    internal string? Refusal(X509Certificate? peer)
    {
        if (peer is null) return "it presented no certificate";
        var cert = peer as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(peer.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        bool built = chain.Build(cert);
        var root = chain.ChainElements.Count > 0 ? chain.ChainElements[^1].Certificate : null;
        if (!built || root is null || !root.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span))
        {
            string status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
            return $"{cert.Subject} (issued by {cert.Issuer}) does not chain to the cluster's authority {Authority.Subject}"
                   + (status.Length > 0 ? $": {status}" : "");
        }
        var usage = cert.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault();
        if (usage is not null)
        {
            var oids = usage.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToHashSet();
            if (!oids.Contains(ServerAuth.Value) || !oids.Contains(ClientAuth.Value))
                return $"{cert.Subject} does not allow both client and server authentication";
        }
        return null;
    }

    /// <summary>Why this node last refused a peer on the Akka plane, or null: a worker whose node ends on a failed handshake says it.</summary>
    internal string? LastAkkaRefusal => Volatile.Read(ref _lastAkkaRefusal);
    string? _lastAkkaRefusal;

    /// <summary>The check of every TLS handshake of Akka remoting: one warning line names the peer and the reason.</summary>
    internal bool ValidateAkkaPeer(X509Certificate2? certificate, X509Chain? chain, string remotePeer, SslPolicyErrors errors, ILoggingAdapter log)
    {
        if (Refusal(certificate) is not { } why) return true;
        Volatile.Write(ref _lastAkkaRefusal, why);
        log.Warning("refused a TLS connection with {0} on the Akka plane: {1}", remotePeer, why);
        return false;
    }

    /// <summary>Akka remoting's TLS: mutual, this node's certificate, every peer checked by <see cref="ValidateAkkaPeer"/>.</summary>
    internal DotNettySslSetup AkkaSetup()
        => new(Certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false, ValidateAkkaPeer);
}
