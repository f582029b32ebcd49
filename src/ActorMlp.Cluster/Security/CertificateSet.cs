using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ActorMlp.Cluster.Security;

/// <summary>
/// The files of `actormlp certs create`: ca.crt (the authority, PEM; every node names it as
/// actormlp.security.ca), ca.key (its private key, PEM; needed only to make more node certificates)
/// and node-1.p12 … node-N.p12 (a node's certificate and private key, PKCS#12). Every file is created
/// readable and writable by its owner only. Nothing is overwritten, and nothing is left half-written:
/// the files are made under temporary names and renamed when all of them are complete.
/// </summary>
public static class CertificateSet
{
    public const string AuthorityFile = "ca.crt";
    public const string AuthorityKeyFile = "ca.key";

    public static string NodeFile(int node) => $"node-{node}.p12";

    /// <summary>
    /// Makes node certificates 1..<paramref name="nodes"/> in <paramref name="folder"/>, signed by the
    /// authority already there (ca.crt with ca.key) or by a new one. Returns the paths written.
    /// Throws <see cref="IOException"/> naming the file when one already exists or cannot be written.
    /// </summary>
    public static IReadOnlyList<string> Create(string folder, int nodes, IReadOnlyList<string> hosts, string password, TimeSpan lifetime)
    {
        Directory.CreateDirectory(folder);
        string caPath = Path.Combine(folder, AuthorityFile), caKeyPath = Path.Combine(folder, AuthorityKeyFile);
        var now = DateTimeOffset.UtcNow.AddMinutes(-5); // tolerates clocks a little behind
        var files = new List<(string Path, byte[] Bytes)>();
        X509Certificate2 authority;
        if (File.Exists(caPath) || File.Exists(caKeyPath))
        {
            try { authority = X509Certificate2.CreateFromPemFile(caPath, caKeyPath); }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new IOException($"{folder} holds an authority that cannot be used ({AuthorityFile} with {AuthorityKeyFile}): {e.Message}", e);
            }
        }
        else
        {
            // A name of its own, so that a refusal says which of two authorities a certificate came from.
            authority = CertificateFactory.CreateAuthority($"ActorMlp cluster CA {Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}", now, now + lifetime);
            using var key = authority.GetECDsaPrivateKey()!;
            files.Add((caPath, System.Text.Encoding.ASCII.GetBytes(authority.ExportCertificatePem() + "\n")));
            files.Add((caKeyPath, System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem() + "\n")));
        }
        using (authority)
        {
            var names = hosts.Count > 0 ? hosts : ["localhost", "127.0.0.1"];
            for (int i = 1; i <= nodes; i++)
            {
                using var node = CertificateFactory.CreateNode(authority, $"actormlp-node-{i}", names, now, now + lifetime);
                files.Add((Path.Combine(folder, NodeFile(i)), node.Export(X509ContentType.Pkcs12, password)));
            }
        }
        foreach (var (path, _) in files)
            if (File.Exists(path)) throw new IOException($"{path} already exists; remove it or choose another --out");
        var written = new List<string>();
        try
        {
            foreach (var (path, bytes) in files)
            {
                string temporary = path + ".part";
                WriteOwnerOnly(temporary, bytes);
                written.Add(temporary);
            }
            foreach (var (path, _) in files) File.Move(path + ".part", path);
        }
        finally
        {
            foreach (var temporary in written) File.Delete(temporary);
        }
        return files.Select(f => f.Path).ToList();
    }

    static void WriteOwnerOnly(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    }
}
