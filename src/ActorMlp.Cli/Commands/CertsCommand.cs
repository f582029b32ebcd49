using ActorMlp.Cli.CommandLine;
using ActorMlp.Cluster.Security;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp certs create --out DIR [--nodes N] [--hosts H,H] [--days D]`: the certificate authority of
/// a cluster and N node certificates it signs (see <see cref="CertificateSet"/>), so that TLS needs no
/// other tool. With an authority already in DIR (ca.crt and ca.key) it signs the new nodes with it.
/// </summary>
internal static class CertsCommand
{
    public static int Run(ParsedArguments args, TextWriter output)
    {
        string folder = args.Get("--out") ?? throw new UsageException("certs create needs --out DIR (where the certificates go)");
        int nodes = ParseInt(args, "--nodes", 1, 1, 10_000);
        int days = ParseInt(args, "--days", 365, 1, 36_500);
        var hosts = (args.Get("--hosts") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var host in hosts)
            if (host.Any(c => char.IsWhiteSpace(c) || c is '/' or '@' or ':' && !System.Net.IPAddress.TryParse(host, out _)))
                throw new UsageException($"--hosts: '{ActorMlp.Data.Excerpt.Of(host)}' is not a host name or an IP address");
        IReadOnlyList<string> written;
        try { written = CertificateSet.Create(folder, nodes, hosts, "", TimeSpan.FromDays(days)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"certs create: {e.Message}", e);
        }
        foreach (var path in written) output.WriteLine($"wrote {path}");
        string ca = Path.Combine(folder, CertificateSet.AuthorityFile);
        output.WriteLine($"every node: --tls on --tls-ca {ca} --tls-certificate {Path.Combine(folder, CertificateSet.NodeFile(1))} (node-2.p12 on the next, ...)");
        return 0;
    }

    static int ParseInt(ParsedArguments args, string flag, int fallback, int min, int max)
    {
        string? text = args.Get(flag);
        if (text is null) return fallback;
        return int.TryParse(text, out int n) && n >= min && n <= max ? n
            : throw new UsageException($"{flag} must be a whole number from {min} to {max}, got '{ActorMlp.Data.Excerpt.Of(text)}'");
    }
}
