using ActorMlp.Cli.CommandLine;
using ActorMlp.Cluster.Watch;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace ActorMlp.Cli.Watch;

/// <summary>
/// Serves the meter "ActorMlp" (<see cref="TrainingMetrics"/>) for Prometheus on http://HOST:PORT/metrics,
/// through OpenTelemetry's exporter on .NET's own HttpListener: no web server to host. Prometheus
/// names follow OpenTelemetry's rules: actormlp.steps becomes actormlp_steps_total, a duration in
/// seconds actormlp_step_duration_seconds.
/// </summary>
internal sealed class MetricsEndpoint : IDisposable
{
    readonly MeterProvider _provider;

    public string Url { get; }

    MetricsEndpoint(string host, int port)
    {
        string shown = IsEveryInterface(host) ? "0.0.0.0" : host;
        string authority = shown.Contains(':') ? $"[{shown}]:{port}" : $"{shown}:{port}";
        Url = $"http://{authority}/metrics";
        try
        {
            _provider = Sdk.CreateMeterProviderBuilder()
                .AddMeter(TrainingMetrics.MeterName)
                .AddPrometheusHttpListener(o =>
                {
                    o.Port = port;
                    if (IsEveryInterface(host))
                    {
                        // HttpListener takes every interface only as the prefix "http://+:PORT/", which the
                        // exporter's Host cannot express ("0.0.0.0" is refused); it then also answers
                        // whatever Host header a scraper sends (a container's name, a pod IP).
                        o.Host = "localhost";
                        o.ConfigureHttpListener = (_, listener) =>
                        {
                            listener.Prefixes.Clear();
                            listener.Prefixes.Add($"http://+:{port}/");
                        };
                    }
                    else o.Host = host;
                })
                .Build();
        }
        catch (Exception e) when (e is System.Net.HttpListenerException or InvalidOperationException or ArgumentException)
        {
            throw new UsageException($"--metrics-port {port}: cannot serve metrics on http://{authority}/ ({e.Message})", e);
        }
    }

    /// <summary>Whether <paramref name="host"/> names every interface (0.0.0.0, ::, * or +).</summary>
    public static bool IsEveryInterface(string host) => host is "0.0.0.0" or "::" or "[::]" or "*" or "+";

    /// <summary>The endpoint, or null when <paramref name="port"/> is 0.</summary>
    public static MetricsEndpoint? Start(string host, int port) => port == 0 ? null : new MetricsEndpoint(host, port);

    public void Dispose() => _provider.Dispose();
}
