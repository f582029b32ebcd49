using ActorMlp.Cluster.Hosting;
using Akka.Actor;
using Akka.Configuration;

namespace ActorMlp.Cluster.Tests;

/// <summary>actormlp.discovery read strictly, and the Akka.Management, Cluster Bootstrap and Akka.Discovery keys it stands for.</summary>
public sealed class DiscoverySettingsTests
{
    static Config With(string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(Fixtures.Reference());

    static DiscoverySettings Read(string hocon) => ClusterSettings.From(With(hocon)).Discovery;

    [Fact]
    public void Seed_nodes_is_the_default_and_stands_for_no_akka_keys()
    {
        var discovery = Fixtures.Defaults.Discovery;
        Assert.Equal(DiscoveryMethod.SeedNodes, discovery.Method);
        Assert.False(discovery.UsesBootstrap);
        Assert.True(discovery.AkkaConfig(Fixtures.Reference(), "worker").IsEmpty);
    }

    [Fact]
    public void Config_discovery_lists_the_endpoints_under_the_service_name_and_keeps_workers_from_forming_a_cluster()
    {
        var node = With("""
            actormlp.discovery { method = config, service-name = "mlp", endpoints = ["10.7.0.1:8558", "coordinator:9000"], required-contact-points = 2 }
            akka.remote.dot-netty.tcp { hostname = "0.0.0.0", public-hostname = "10.7.0.5" }
            """);
        var discovery = ClusterSettings.From(node).Discovery;
        var worker = discovery.AkkaConfig(node, "worker");
        Assert.Equal("config", worker.GetString("akka.discovery.method"));
        Assert.Equal(["10.7.0.1:8558", "coordinator:9000"], worker.GetStringList("akka.discovery.config.services.mlp.endpoints"));
        Assert.Equal("mlp", worker.GetString("akka.management.cluster.bootstrap.contact-point-discovery.service-name"));
        Assert.Equal(2, worker.GetInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
        Assert.False(worker.GetBoolean("akka.management.cluster.bootstrap.new-cluster-enabled"));
        Assert.True(discovery.AkkaConfig(node, "coordinator").GetBoolean("akka.management.cluster.bootstrap.new-cluster-enabled"));
        // The management endpoint binds what remoting binds and advertises what remoting advertises.
        Assert.Equal("0.0.0.0", worker.GetString("akka.management.http.bind-hostname"));
        Assert.Equal("10.7.0.5", worker.GetString("akka.management.http.hostname"));
    }

    [Fact]
    public void Management_addresses_set_by_hand_are_kept()
    {
        var node = With("""
            actormlp.discovery { method = config, endpoints = ["127.0.0.1:8558"] }
            akka.management.http { hostname = "mgmt.example", bind-hostname = "127.0.0.2" }
            """);
        var akka = ClusterSettings.From(node).Discovery.AkkaConfig(node, "worker").WithFallback(node);
        Assert.Equal("mgmt.example", akka.GetString("akka.management.http.hostname"));
        Assert.Equal("127.0.0.2", akka.GetString("akka.management.http.bind-hostname"));
    }

    [Fact]
    public void Kubernetes_discovery_queries_the_pods_of_the_label_selector_in_the_namespace_given()
    {
        var node = With("""actormlp.discovery { method = kubernetes, kubernetes { pod-label-selector = "app={0},tier=train", pod-namespace = "ml" } }""");
        var akka = ClusterSettings.From(node).Discovery.AkkaConfig(node, "worker");
        Assert.Equal(KubernetesPodDiscovery.Method, akka.GetString("akka.discovery.method"));
        Assert.Equal("app={0},tier=train", akka.GetString("akka.discovery.kubernetes-pods.pod-label-selector"));
        Assert.Equal("app=actormlp,tier=train", KubernetesPodDiscovery.Selector("app={0},tier=train", "actormlp"));
        using var system = ActorSystem.Create("k8s", akka.WithFallback(Fixtures.TestConfig("worker")));
        var discovery = Assert.IsType<KubernetesPodDiscovery>(Akka.Discovery.Discovery.Get(system).Default);
        Assert.Equal("ml", discovery.Namespace);
    }

    [SkippableFact]
    public void Kubernetes_discovery_with_no_namespace_takes_the_pods_own()
    {
        Skip.If(File.Exists("/var/run/secrets/kubernetes.io/serviceaccount/namespace"), "this test runs outside a pod");
        var node = With("actormlp.discovery.method = kubernetes");
        var akka = ClusterSettings.From(node).Discovery.AkkaConfig(node, "worker");
        Assert.Equal("app=actormlp", akka.GetString("akka.discovery.kubernetes-pods.pod-label-selector"));
        using var system = ActorSystem.Create("k8s", akka.WithFallback(Fixtures.TestConfig("worker")));
        // Outside a pod there is no service account file: Kubernetes' own default namespace.
        Assert.Equal("default", Assert.IsType<KubernetesPodDiscovery>(Akka.Discovery.Discovery.Get(system).Default).Namespace);
    }

    [SkippableFact]
    public async Task Kubernetes_discovery_outside_a_pod_fails_its_lookup_with_a_sentence_not_a_crash()
    {
        Skip.If(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 }, "this test runs outside Kubernetes");
        var node = With("actormlp.discovery.method = kubernetes");
        using var system = ActorSystem.Create("k8s", ClusterSettings.From(node).Discovery.AkkaConfig(node, "worker").WithFallback(Fixtures.TestConfig("worker")));
        var discovery = Akka.Discovery.Discovery.Get(system).Default;
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => discovery.Lookup(new Akka.Discovery.Lookup("actormlp"), TimeSpan.FromSeconds(1)));
        Assert.StartsWith("listing the pods labelled app=actormlp in namespace default failed: ", failure.Message);
    }

    [Theory]
    [InlineData("method = dns", "actormlp.discovery.method must be seed-nodes, config or kubernetes, got 'dns'")]
    [InlineData("endpoints = [\"coordinator\"]", "actormlp.discovery.endpoints (--discovery-endpoints): 'coordinator' is not HOST:PORT")]
    [InlineData("endpoints = [\"10.0.0.1:0\"]", "'10.0.0.1:0' is not HOST:PORT")]
    [InlineData("required-contact-points = 0", "actormlp.discovery.required-contact-points must be at least 1, got 0")]
    [InlineData("service-name = \"a b\"", "actormlp.discovery.service-name must be a name")]
    public void A_bad_discovery_setting_is_refused_naming_its_key(string setting, string expected)
    {
        var e = Assert.ThrowsAny<Exception>(() => Read("actormlp.discovery." + setting));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Kubernetes_discovery_without_a_label_selector_is_refused_naming_the_key()
    {
        var e = Assert.Throws<ArgumentException>(() => Read("""actormlp.discovery { method = kubernetes, kubernetes.pod-label-selector = "" }"""));
        Assert.Contains("actormlp.discovery.kubernetes.pod-label-selector", e.Message);
    }
}
