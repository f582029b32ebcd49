using Akka.Actor;
using AkkaCluster = Akka.Cluster.Cluster;

namespace ActorMlp.Cluster.Hosting;

/// <summary>
/// Where a node's tensor endpoint listens and what it tells the others, which differ behind NAT and in
/// containers as Akka's own hostname and public-hostname do. Bind: tensor-host, else the address Akka
/// remoting binds. Advertised: tensor-public-host, else the hostname Akka advertises; tensor-public-port,
/// else the port bound.
/// </summary>
internal sealed record TensorAddress(string BindHost, int BindPort, string PublicHost, int PublicPort)
{
    public static TensorAddress Of(ClusterSettings settings, ActorSystem system)
    {
        string advertised = AkkaCluster.Get(system).SelfAddress.Host ?? "127.0.0.1";
        string bind = settings.TensorHost;
        if (string.IsNullOrWhiteSpace(bind)) bind = system.Settings.Config.GetString("akka.remote.dot-netty.tcp.hostname", "");
        if (string.IsNullOrWhiteSpace(bind)) bind = advertised;
        string publicHost = string.IsNullOrWhiteSpace(settings.TensorPublicHost) ? advertised : settings.TensorPublicHost;
        return new TensorAddress(bind, settings.TensorPort, publicHost, settings.TensorPublicPort);
    }

    /// <summary>host:port the others connect to, once the endpoint listens on <paramref name="boundPort"/>.</summary>
    public string Advertised(int boundPort) => $"{PublicHost}:{(PublicPort != 0 ? PublicPort : boundPort)}";
}
