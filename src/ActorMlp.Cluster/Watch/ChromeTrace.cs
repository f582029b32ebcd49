using System.Diagnostics;
using System.Text.Json;

namespace ActorMlp.Cluster.Watch;

/// <summary>
/// A step timeline in Chrome's trace event format (chrome://tracing, ui.perfetto.dev): one JSON object
/// whose "traceEvents" are complete events ("ph": "X", ts and dur in microseconds from the start of the
/// trace) on a track per node (pid) and thread (tid), named after metadata events. Written as it goes to
/// FILE.part and renamed to FILE when closed, so a file under its own name is whole; a trace closed
/// before its first event (the run never started: a bad flag, a folder it could not make) leaves no file.
/// </summary>
internal sealed class ChromeTrace : IDisposable
{
    readonly string _path;
    readonly FileStream _file;
    readonly Utf8JsonWriter _json;
    readonly long _origin = Stopwatch.GetTimestamp();
    readonly HashSet<(int, int)> _named = [];
    readonly object _gate = new();
    bool _closed;
    long _spans;

    public string Path => _path;

    /// <summary>Creates FILE.part; throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when it cannot.</summary>
    public ChromeTrace(string path)
    {
        _path = path;
        string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        _file = new FileStream(path + ".part", FileMode.Create, FileAccess.Write, FileShare.Read);
        _json = new Utf8JsonWriter(_file);
        _json.WriteStartObject();
        _json.WriteString("displayTimeUnit", "ms");
        _json.WriteStartArray("traceEvents");
    }

    /// <summary>Names track (pid, tid) the first time it is used: the process after the node, the thread after what runs on it.</summary>
    public void Name(int pid, string process, int tid, string thread)
    {
        lock (_gate)
        {
            if (_closed || !_named.Add((pid, tid))) return;
            if (_named.Add((pid, -1))) Metadata("process_name", pid, 0, process);
            Metadata("thread_name", pid, tid, thread);
        }
    }

    /// <summary>A complete event between two <see cref="Stopwatch"/> timestamps of this process.</summary>
    public void Span(string name, int pid, int tid, long start, long end, long step, string? worker = null)
    {
        lock (_gate)
        {
            if (_closed) return;
            _spans++;
            _json.WriteStartObject();
            _json.WriteString("name", name);
            _json.WriteString("cat", "step");
            _json.WriteString("ph", "X");
            _json.WriteNumber("ts", Math.Round(Micros(start), 3));
            _json.WriteNumber("dur", Math.Round(Math.Max(0, Micros(end) - Micros(start)), 3));
            _json.WriteNumber("pid", pid);
            _json.WriteNumber("tid", tid);
            _json.WriteStartObject("args");
            _json.WriteNumber("step", step);
            if (worker is not null) _json.WriteString("worker", worker);
            _json.WriteEndObject();
            _json.WriteEndObject();
            if (_json.BytesPending > 64 * 1024) _json.Flush();
        }
    }

    double Micros(long timestamp) => (timestamp - _origin) * 1_000_000.0 / Stopwatch.Frequency;

    void Metadata(string kind, int pid, int tid, string name)
    {
        _json.WriteStartObject();
        _json.WriteString("name", kind);
        _json.WriteString("ph", "M");
        _json.WriteNumber("pid", pid);
        _json.WriteNumber("tid", tid);
        _json.WriteStartObject("args");
        _json.WriteString("name", name);
        _json.WriteEndObject();
        _json.WriteEndObject();
    }

    /// <summary>Ends the JSON and gives the file its name.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closed) return;
            _closed = true;
            _json.WriteEndArray();
            _json.WriteEndObject();
            _json.Flush();
            _json.Dispose();
            _file.Dispose();
            if (_spans == 0) File.Delete(_path + ".part");
            else File.Move(_path + ".part", _path, overwrite: true);
        }
    }
}
