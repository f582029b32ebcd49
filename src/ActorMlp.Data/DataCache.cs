using System.Security.Cryptography;
using System.Text;

namespace ActorMlp.Data;

/// <summary>
/// Where a node keeps the data packs it fetched (<see cref="DataPack"/>), one file per data set named by
/// its fingerprint, so a node that starts again finds its data without fetching it.
/// </summary>
internal static class DataCache
{
    /// <summary>
    /// The cache folder: <paramref name="configured"/> (actormlp.data.cache-dir, --cache-dir) when given,
    /// else $ACTORMLP_CACHE, else $XDG_CACHE_HOME/actormlp, else ~/.cache/actormlp.
    /// </summary>
    public static string Folder(string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured)) return configured;
        if (Environment.GetEnvironmentVariable("ACTORMLP_CACHE") is { Length: > 0 } cache) return cache;
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "actormlp");
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "actormlp");
    }

    /// <summary>
    /// The pack file of the data fingerprinted <paramref name="fingerprint"/> in <paramref name="folder"/>:
    /// the data set's name, readable, then the SHA-256 of the whole fingerprint, so that names of any
    /// spelling make a safe file name and two data sets never share one.
    /// </summary>
    public static string PathFor(string folder, string fingerprint)
    {
        int slash = fingerprint.IndexOf('/');
        string name = slash > 0 ? fingerprint[..slash] : "data";
        var safe = new StringBuilder();
        foreach (char c in name.Length > 40 ? name[..40] : name) safe.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fingerprint)))[..32];
        return Path.Combine(folder, $"{safe}-{key}.pack");
    }
}
