using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ActorMlp.Cli.Tests;

/// <summary>Real `actormlp` processes started from the test binaries' copy of the program; all killed on dispose.</summary>
public sealed class Processes : IDisposable
{
    public sealed record Node(Process Process, StringBuilder Output)
    {
        public string Text { get { lock (Output) return Output.ToString(); } }
    }

    readonly List<Node> _nodes = [];

    // A worker started without data keeps what it fetches here, never in the user's own cache folder.
    readonly string _cache = Directory.CreateTempSubdirectory("actormlp-cache-").FullName;

    public Node Start(params string[] args) => StartWith(new Dictionary<string, string>(), args);

    /// <summary>A process with extra environment variables, e.g. DOTNET_EnableAVX2=0 to imitate a CPU without AVX2 and FMA.</summary>
    public Node StartWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment["ACTORMLP_CACHE"] = _cache;
        foreach (var (name, value) in environment) info.Environment[name] = value;
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "actormlp.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        var process = Process.Start(info)!;
        var output = new StringBuilder();
        DataReceivedEventHandler collect = (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.OutputDataReceived += collect;
        process.ErrorDataReceived += collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new Node(process, output);
        _nodes.Add(node);
        return node;
    }

    /// <summary>Everything every process printed, for failure messages.</summary>
    public string Log() => string.Join("\n", _nodes.Select(n => $"--- {string.Join(' ', n.Process.StartInfo.ArgumentList.Skip(1).Take(3))}\n{n.Text}"));

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Waits until the condition holds, failing with the processes' output after the timeout.</summary>
    public async Task Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout) Assert.Fail($"timed out waiting for {what}\n{Log()}");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        foreach (var n in _nodes)
        {
            try { if (!n.Process.HasExited) n.Process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            n.Process.Dispose();
        }
        try { Directory.Delete(_cache, recursive: true); }
        catch (IOException) { }
    }
}
