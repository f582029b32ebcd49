using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace ActorMlp.Cluster.Hosting;

/// <summary>
/// Keeps a flood of alike refusals (a node retrying with the wrong certificate, a port scan) from
/// drowning the log: a message is written the first time, then at most once per window, with the
/// count of those left out since. Messages are alike when they differ only in port numbers, so one
/// sender's reconnects count as one.
/// </summary>
internal sealed partial class LogThrottle(TimeSpan window)
{
    readonly ConcurrentDictionary<string, (DateTime Last, int Skipped)> _seen = new();

    public static LogThrottle Shared { get; } = new(TimeSpan.FromSeconds(10));

    /// <summary>Distinct messages remembered at most.</summary>
    public const int MaxKeys = 4096;

    /// <summary>The line to write now (the message, and how many alike ones were left out), or null to leave it out.</summary>
    public string? Admit(string message)
    {
        string key = Ports().Replace(message, ":*");
        var now = DateTime.UtcNow;
        // Many senders (a scan from many addresses) must not grow the table without bound: start afresh.
        if (_seen.Count >= MaxKeys) _seen.Clear();
        while (true)
        {
            if (!_seen.TryGetValue(key, out var entry))
            {
                if (_seen.TryAdd(key, (now, 0))) return message;
                continue;
            }
            if (now - entry.Last < window)
            {
                if (_seen.TryUpdate(key, (entry.Last, entry.Skipped + 1), entry)) return null;
                continue;
            }
            if (_seen.TryUpdate(key, (now, 0), entry))
                return entry.Skipped == 0 ? message : $"{message} ({entry.Skipped} more like it in the last {(now - entry.Last).TotalSeconds:F0} s)";
        }
    }

    [GeneratedRegex(@":\d+(?=\]|\b)")]
    private static partial Regex Ports();
}
