using System.Net;
using Akka.Actor;
using Akka.Discovery;
using k8s;
using k8s.Autorest;

namespace ActorMlp.Cluster.Hosting;

/// <summary>
/// Akka.Discovery's method for Kubernetes as Akka.Discovery.KubernetesApi does it: the running pods
/// that the Kubernetes API lists under a label selector in one namespace, each a contact point at its
/// pod IP (the port is Cluster Bootstrap's fallback, this node's akka.management.http.port). Why not
/// Akka.Discovery.KubernetesApi itself: its 1.5.73 is built against KubernetesClient 17, the package
/// feed serves 19 and 21, whose models lost the constructors it calls (a MissingMethodException at
/// every lookup). Configured under akka.discovery.kubernetes-pods (<see cref="DiscoverySettings.AkkaConfig"/>).
/// </summary>
internal sealed class KubernetesPodDiscovery : ServiceDiscovery
{
    public const string ConfigPath = "akka.discovery." + Method;
    public const string Method = "kubernetes-pods";

    /// <summary>Where a pod's service account finds its own namespace.</summary>
    const string NamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

    readonly string _labelSelector;
    readonly string _namespace;
    // Not cached when it fails: a service account token mounted late is found at the next lookup.
    readonly Lazy<Kubernetes> _client = new(() => new Kubernetes(KubernetesClientConfiguration.InClusterConfig()), LazyThreadSafetyMode.PublicationOnly);

    public KubernetesPodDiscovery(ExtendedActorSystem system) : this(system, system.Settings.Config.GetConfig(ConfigPath)) { }

    public KubernetesPodDiscovery(ExtendedActorSystem system, Akka.Configuration.Config config)
    {
        _labelSelector = config.GetString("pod-label-selector");
        string ns = config.GetString("pod-namespace", "");
        _namespace = ns.Length > 0 ? ns : File.Exists(NamespaceFile) ? File.ReadAllText(NamespaceFile).Trim() : "default";
    }

    /// <summary>The label selector with {0} standing for the service name, as Akka.Discovery.KubernetesApi reads it.</summary>
    public static string Selector(string labelSelector, string serviceName) => labelSelector.Replace("{0}", serviceName, StringComparison.Ordinal);

    public string Namespace => _namespace;

    public override async Task<Resolved> Lookup(Lookup lookup, TimeSpan resolveTimeout)
    {
        string selector = Selector(_labelSelector, lookup.ServiceName);
        using var timeout = new CancellationTokenSource(resolveTimeout);
        k8s.Models.V1PodList pods;
        try
        {
            pods = await _client.Value.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: selector, cancellationToken: timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or HttpOperationException or HttpRequestException or OperationCanceledException)
        {
            string why = e is HttpOperationException { Response.StatusCode: HttpStatusCode.Forbidden }
                ? "forbidden: the pod's service account needs the right to list pods"
                : e is OperationCanceledException ? $"no answer within {resolveTimeout.TotalSeconds:F0} s" : e.Message;
            throw new InvalidOperationException($"listing the pods labelled {selector} in namespace {_namespace} failed: {why}", e);
        }
        var targets = pods.Items
            .Where(p => p.Metadata?.DeletionTimestamp is null && p.Status?.Phase == "Running" && !string.IsNullOrEmpty(p.Status.PodIP))
            .Select(p => new ResolvedTarget(p.Status.PodIP, null, IPAddress.Parse(p.Status.PodIP)))
            .ToList();
        return new Resolved(lookup.ServiceName, targets);
    }
}
