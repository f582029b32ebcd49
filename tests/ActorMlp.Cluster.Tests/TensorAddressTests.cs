using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Links;
using Akka.Configuration;

namespace ActorMlp.Cluster.Tests;

/// <summary>The tensor endpoint binds one address and advertises another, as Akka's hostname and public-hostname.</summary>
public sealed class TensorAddressTests() : Akka.TestKit.Xunit2.TestKit(Fixtures.TestConfig())
{
    static ClusterSettings Settings(string hocon) => ClusterSettings.From(ConfigurationFactory.ParseString(hocon).WithFallback(Fixtures.Reference()));

    [Fact]
    public void By_default_the_endpoint_binds_the_remoting_address_and_advertises_the_akka_hostname_and_the_bound_port()
    {
        var address = TensorAddress.Of(Fixtures.Defaults, Sys);
        string akkaHost = Akka.Cluster.Cluster.Get(Sys).SelfAddress.Host!;
        Assert.Equal(Sys.Settings.Config.GetString("akka.remote.dot-netty.tcp.hostname"), address.BindHost);
        Assert.Equal($"{akkaHost}:4711", address.Advertised(4711));
    }

    [Fact]
    public void An_advertised_port_that_differs_from_the_bound_one_is_what_workers_are_told_and_the_bound_port_still_serves()
    {
        var settings = Settings("actormlp.cluster { tensor-host = \"127.0.0.1\", tensor-public-host = \"localhost\", tensor-public-port = 40999 }");
        var address = TensorAddress.Of(settings, Sys);
        var owner = CreateTestProbe();
        using var server = new TensorServer(address.BindHost, address.BindPort, 7, new BufferPool(4), owner, 1 << 16, _ => { }, advertise: address.Advertised);
        int bound = int.Parse(server.Bound[(server.Bound.LastIndexOf(':') + 1)..]);
        Assert.NotEqual(40999, bound);
        Assert.Equal("localhost:40999", server.Endpoint);
        Assert.Equal($"127.0.0.1:{bound}", server.Bound);

        server.Admit("w1");
        using var client = new TensorClient(server.Bound, "w1", 7, 4, TestActor, 1 << 16);
        Assert.Equal("w1", owner.ExpectMsg<LinkOpened>().WorkerId);
    }

    [Theory]
    [InlineData("tensor-public-port = 70000", "actormlp.cluster.tensor-public-port must be 0..65535, got 70000")]
    [InlineData("tensor-public-host = \"0.0.0.0\"", "actormlp.cluster.tensor-public-host must be an address workers connect to, not the wildcard 0.0.0.0")]
    public void A_bad_advertised_address_is_refused_naming_its_key(string setting, string expected)
        => Assert.Contains(expected, Assert.Throws<ArgumentException>(() => Settings("actormlp.cluster." + setting)).Message);
}
