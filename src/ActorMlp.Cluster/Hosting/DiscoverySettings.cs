using ActorMlp.Data;
using Akka.Configuration;

namespace ActorMlp.Cluster.Hosting;

/// <summary>
/// How a worker finds its cluster: seed-nodes, the addresses it is given (--seed-node); config, Akka's
/// Cluster Bootstrap probing the management endpoints listed in actormlp.discovery.endpoints;
/// kubernetes, Cluster Bootstrap probing the pods the Kubernetes API lists under a label selector
/// (<see cref="KubernetesPodDiscovery"/>).
/// </summary>
public enum DiscoveryMethod { SeedNodes, Config, Kubernetes }

/// <summary>The actormlp.discovery section of the configuration (see hocon/reference.conf), and the Akka keys it stands for.</summary>
public sealed record DiscoverySettings
{
    const string P = "actormlp.discovery.";

    public required DiscoveryMethod Method { get; init; }
    public required string ServiceName { get; init; }
    public required IReadOnlyList<string> Endpoints { get; init; }
    public required int RequiredContactPoints { get; init; }
    public required string PodLabelSelector { get; init; }
    public required string PodNamespace { get; init; }

    /// <summary>Whether the node serves a management endpoint (<see cref="ManagementEndpoint"/>) and a worker finds its cluster through Cluster Bootstrap.</summary>
    public bool UsesBootstrap => Method != DiscoveryMethod.SeedNodes;

    /// <summary>Reads the section strictly; throws <see cref="ArgumentException"/> naming the key at fault.</summary>
    public static DiscoverySettings From(Config config)
    {
        string method = Text(config, P + "method").Trim().ToLowerInvariant();
        var settings = new DiscoverySettings
        {
            Method = method switch
            {
                "seed-nodes" => DiscoveryMethod.SeedNodes,
                "config" => DiscoveryMethod.Config,
                "kubernetes" => DiscoveryMethod.Kubernetes,
                _ => throw new ArgumentException($"{P}method must be seed-nodes, config or kubernetes, got '{Excerpt.Of(method)}'"),
            },
            ServiceName = Text(config, P + "service-name").Trim(),
            Endpoints = Read(config, P + "endpoints", k => config.GetStringList(k)).Select(e => e.Trim()).Where(e => e.Length > 0).ToList(),
            RequiredContactPoints = Read(config, P + "required-contact-points", k => config.GetInt(k)),
            PodLabelSelector = Text(config, P + "kubernetes.pod-label-selector").Trim(),
            PodNamespace = Text(config, P + "kubernetes.pod-namespace").Trim(),
        };
        if (settings.ServiceName.Length == 0 || settings.ServiceName.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new ArgumentException($"{P}service-name must be a name of letters, digits, '-', '_' and '.', got '{Excerpt.Of(settings.ServiceName)}'");
        foreach (var endpoint in settings.Endpoints)
            if (!IsHostPort(endpoint))
                throw new ArgumentException($"{P}endpoints (--discovery-endpoints): '{Excerpt.Of(endpoint, Excerpt.Name)}' is not HOST:PORT, such as 10.0.0.1:8558");
        if (settings.RequiredContactPoints < 1)
            throw new ArgumentException($"{P}required-contact-points must be at least 1, got {settings.RequiredContactPoints}");
        if (settings.Method == DiscoveryMethod.Kubernetes && settings.PodLabelSelector.Length == 0)
            throw new ArgumentException($"{P}kubernetes.pod-label-selector must name the label of the run's pods, such as app=actormlp");
        return settings;
    }

    /// <summary>
    /// The Akka.Management, Cluster Bootstrap and Akka.Discovery keys this section stands for on a node of
    /// <paramref name="role"/>, over <paramref name="node"/>: the management endpoint binds the address
    /// remoting binds and advertises the address remoting advertises, unless akka.management.http sets its own.
    /// Empty when the method is seed-nodes.
    /// </summary>
    internal Config AkkaConfig(Config node, string role)
    {
        if (!UsesBootstrap) return Config.Empty;
        string bind = node.GetString("akka.remote.dot-netty.tcp.hostname", "");
        string advertised = node.GetString("akka.remote.dot-netty.tcp.public-hostname", "");
        if (string.IsNullOrWhiteSpace(advertised)) advertised = bind;
        var lines = new List<string>
        {
            // Cluster Bootstrap reads akka.discovery, whose default method Akka.Discovery leaves unset.
            $"akka.discovery.method = {(Method == DiscoveryMethod.Config ? "config" : KubernetesPodDiscovery.Method)}",
            $"akka.management.cluster.bootstrap.contact-point-discovery.service-name = {Quote(ServiceName)}",
            $"akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr = {RequiredContactPoints}",
            // Only the coordinator forms a cluster (it joins itself); a worker that found no cluster keeps
            // probing, so workers started before their coordinator never make a cluster of their own.
            $"akka.management.cluster.bootstrap.new-cluster-enabled = {(role == "coordinator" ? "on" : "off")}",
            // The endpoints are management endpoints by construction: none is to be filtered out for
            // having another port than this node's own (several nodes on one host each have their own).
            "akka.management.cluster.bootstrap.contact-point.filter-on-fallback-port = false",
        };
        if (!node.HasPath("akka.management.http.hostname") && !string.IsNullOrWhiteSpace(advertised))
            lines.Add($"akka.management.http.hostname = {Quote(advertised)}");
        if (!node.HasPath("akka.management.http.bind-hostname") && !string.IsNullOrWhiteSpace(bind))
            lines.Add($"akka.management.http.bind-hostname = {Quote(bind)}");
        if (Method == DiscoveryMethod.Config)
            lines.Add($"akka.discovery.config.services.{Quote(ServiceName)}.endpoints = [{string.Join(", ", Endpoints.Select(Quote))}]");
        else
        {
            string path = KubernetesPodDiscovery.ConfigPath;
            lines.Add($"{path}.class = {Quote($"{typeof(KubernetesPodDiscovery).FullName}, {typeof(KubernetesPodDiscovery).Assembly.GetName().Name}")}");
            lines.Add($"{path}.pod-label-selector = {Quote(PodLabelSelector)}");
            lines.Add($"{path}.pod-namespace = {Quote(PodNamespace)}");
        }
        return ConfigurationFactory.ParseString(string.Join("\n", lines));
    }

    static bool IsHostPort(string endpoint)
    {
        int colon = endpoint.LastIndexOf(':');
        return colon > 0 && int.TryParse(endpoint[(colon + 1)..], out int port) && port is > 0 and <= 65535
               && !endpoint[..colon].Any(c => char.IsWhiteSpace(c) || c is '"' or '\\' or '/');
    }

    static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    static string Text(Config config, string key)
        => Read(config, key, k => config.GetString(k)) ?? throw new ArgumentException($"{key} must be a value, not an object or a list");

    static T Read<T>(Config config, string key, Func<string, T> get)
        => config.HasPath(key) ? get(key) : throw new ArgumentException($"configuration key {key} is missing");
}
