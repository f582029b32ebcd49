using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ActorMlp.Hosting;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Security;
using ActorMlp.Core.Model;
using Akka.Actor;

namespace ActorMlp.Cluster.Tests;

/// <summary>Mutual TLS: who is let in on each plane, and that a TLS run has the bits of a plain one.</summary>
public class TlsTests
{
    static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    /// <summary>An authority and a trust for one of its nodes; made once per use, in memory.</summary>
    static NodeTrust NewCluster(out X509Certificate2 authority)
    {
        authority = CertificateFactory.CreateAuthority($"test CA {Guid.NewGuid():N}", Now.AddMinutes(-5), Now.AddDays(1));
        return Trust(authority);
    }

    static NodeTrust Trust(X509Certificate2 authority, string name = "node")
    {
        var node = CertificateFactory.CreateNode(authority, name, ["127.0.0.1"], Now.AddMinutes(-5), Now.AddDays(1));
        // As loaded from a file: the authority without its key.
        return new NodeTrust(X509CertificateLoader.LoadCertificate(authority.RawData), node);
    }

    static void Until(Func<bool> condition, string what)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!condition()) { Assert.True(limit.ElapsedMilliseconds < 10_000, $"no {what}"); Thread.Sleep(5); }
    }

    [Fact]
    public void A_certificate_of_the_cluster_authority_is_accepted_and_one_of_another_is_refused()
    {
        var trust = NewCluster(out var authority);
        Assert.Null(trust.Refusal(Trust(authority, "other-node").Certificate));
        var stranger = NewCluster(out _);
        Assert.Contains("does not chain to the cluster's authority", trust.Refusal(stranger.Certificate));
        Assert.Contains("no certificate", trust.Refusal(null));
    }

    [Fact]
    public void A_certificate_out_of_date_is_refused()
    {
        var authority = CertificateFactory.CreateAuthority("old CA", Now.AddDays(-30), Now.AddDays(1));
        var trust = Trust(authority);
        var expired = CertificateFactory.CreateNode(authority, "old", ["127.0.0.1"], Now.AddDays(-10), Now.AddDays(-9));
        Assert.Contains("does not chain", trust.Refusal(expired));
    }

    [Fact]
    public void A_node_certificate_another_authority_signed_is_refused_when_loaded()
    {
        NewCluster(out var authority);
        var stranger = NewCluster(out _);
        var e = Assert.Throws<ArgumentException>(() => new NodeTrust(X509CertificateLoader.LoadCertificate(authority.RawData), stranger.Certificate));
        Assert.Contains("not one this cluster accepts", e.Message);
    }

    [Fact]
    public void Certs_files_are_readable_by_their_owner_only_and_never_overwritten()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"actormlp-certs-{Guid.NewGuid():N}");
        try
        {
            var written = CertificateSet.Create(folder, 2, ["10.0.0.5", "node.example"], "", TimeSpan.FromDays(2));
            Assert.Equal(["ca.crt", "ca.key", "node-1.p12", "node-2.p12"], written.Select(Path.GetFileName).Order());
            if (!OperatingSystem.IsWindows())
                foreach (var path in written) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var trust = NodeTrust.Load(Path.Combine(folder, "ca.crt"), Path.Combine(folder, "node-2.p12"), "", "actormlp.security.");
            Assert.Contains("10.0.0.5", trust.Certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses().Select(a => a.ToString()));

            var before = File.ReadAllBytes(Path.Combine(folder, "node-1.p12"));
            var e = Assert.Throws<IOException>(() => CertificateSet.Create(folder, 1, [], "", TimeSpan.FromDays(2)));
            Assert.Contains("node-1.p12 already exists", e.Message);
            Assert.Equal(before, File.ReadAllBytes(Path.Combine(folder, "node-1.p12")));
            Assert.DoesNotContain(Directory.GetFiles(folder), f => f.EndsWith(".part"));

            // A later call with more nodes signs them with the same authority.
            File.Delete(Path.Combine(folder, "node-1.p12"));
            File.Delete(Path.Combine(folder, "node-2.p12"));
            CertificateSet.Create(folder, 3, [], "", TimeSpan.FromDays(2));
            var third = NodeTrust.Load(Path.Combine(folder, "ca.crt"), Path.Combine(folder, "node-3.p12"), "", "actormlp.security.");
            Assert.Null(trust.Refusal(third.Certificate));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void A_missing_or_unreadable_certificate_is_named_in_the_error()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"nothing-{Guid.NewGuid():N}.p12");
        var e = Assert.Throws<ArgumentException>(() => NodeTrust.Load(missing, missing, "", "actormlp.security."));
        Assert.Contains("actormlp.security.ca", e.Message);
        Assert.Contains(missing, e.Message);
    }

    [Fact]
    public void The_tensor_endpoint_serves_a_worker_of_its_cluster_and_refuses_one_of_another_and_a_plain_client()
    {
        var trust = NewCluster(out var authority);
        var warnings = new ConcurrentQueue<string>();
        var owner = new Inbox();
        using var server = new TensorServer("127.0.0.1", 0, 7, new BufferPool(4), owner.Ref, 1 << 16, warnings.Enqueue, trust)
        {
            HelloTimeout = TimeSpan.FromSeconds(5),
        };

        server.Admit("member");
        server.Admit("stranger");
        server.Admit("plain");
        using (new TensorClient(server.Endpoint, "member", 7, 4, ActorRefs.Nobody, 1 << 16, Trust(authority)))
            Until(() => owner.Messages.OfType<LinkOpened>().Any(m => m.WorkerId == "member"), "link opened for the member");

        var stranger = NewCluster(out _);
        var refused = Assert.ThrowsAny<IOException>(() => new TensorClient(server.Endpoint, "stranger", 7, 4, ActorRefs.Nobody, 1 << 16, stranger));
        Assert.Contains("TLS handshake refused", refused.Message);
        Until(() => warnings.Any(w => w.Contains("was refused") && w.Contains("does not chain to the cluster's authority")), "warning naming the stranger");

        // A client without TLS says hello in clear: the server takes it for a bad handshake and closes.
        using (var plain = new TensorClient(server.Endpoint, "plain", 7, 4, ActorRefs.Nobody, 1 << 16)) { }
        Until(() => warnings.Count(w => w.Contains("was refused")) >= 2, "warning naming the plain client");
        Assert.DoesNotContain(owner.Messages.OfType<LinkOpened>(), m => m.WorkerId is "stranger" or "plain");
    }

    [Fact]
    public void Peer_links_connect_within_a_cluster_and_refuse_a_node_of_another()
    {
        var trust = NewCluster(out var authority);
        var warnings = new ConcurrentQueue<string>();
        var owner = new Inbox();
        using var a = new PeerLinks("a", "127.0.0.1", 0, 7, 16, 64, owner.Ref, 1 << 16, warnings.Enqueue, trust);
        using var b = new PeerLinks("b", "127.0.0.1", 0, 7, 16, 64, ActorRefs.Nobody, 1 << 16, _ => { }, Trust(authority));
        a.Admit("b");
        a.Admit("c");
        Assert.True(b.Send("a", a.Endpoint, new PeerFrameHeader(PeerFrameKind.Applied, 0, 0, 0, 0, 3, 7, 2), new float[] { 1, 2 }.AsSpan()));
        Until(() => a.TryTake(out var frame) && frame.From == "b" && frame.Header.Step == 3, "frame from b");

        var stranger = NewCluster(out _);
        var bWarnings = new ConcurrentQueue<string>();
        using var c = new PeerLinks("c", "127.0.0.1", 0, 7, 16, 64, ActorRefs.Nobody, 1 << 16, bWarnings.Enqueue, stranger);
        Assert.False(c.Connect("a", a.Endpoint));
        Assert.Contains(bWarnings, w => w.Contains("TLS handshake refused"));
        Until(() => warnings.Any(w => w.Contains("refused") && w.Contains("does not chain")), "warning naming the stranger");
    }

    [Theory]
    [InlineData(ReductionKind.Star)]
    [InlineData(ReductionKind.Peer)]
    public async Task A_tls_cluster_reproduces_the_bits_of_the_local_run(ReductionKind reduction)
    {
        var trainer = Fixtures.NewTrainer();
        var settings = Fixtures.AkkaLink with { TensorLink = TensorLinkKind.Socket, Reduction = reduction, MinWorkers = 2, Trust = NewCluster(out _) };
        var setup = new CoordinatorSetup(new Mlp(Fixtures.Spec), trainer, Fixtures.Fingerprint, new StepLog(), settings,
            new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously),
            reduction == ReductionKind.Peer ? Fixtures.Recipe(false) : null);
        var outcome = await EmbeddedCluster.RunAsync(Fixtures.TestConfig(), setup, 2, 1, new SyntheticSamples(64), Fixtures.Fingerprint);
        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(Fixtures.LocalResult(), trainer.Parameters);
    }

    /// <summary>Collects what the links tell their owner.</summary>
    sealed class Inbox
    {
        static readonly ActorSystem System = ActorSystem.Create("tls-tests", "akka.loglevel = OFF");
        readonly ConcurrentQueue<object> _messages = new();
        public IActorRef Ref { get; }
        public IEnumerable<object> Messages => _messages;

        public Inbox() => Ref = System.ActorOf(Props.Create(() => new Collector(_messages)));

        sealed class Collector : ReceiveActor
        {
            public Collector(ConcurrentQueue<object> into) => ReceiveAny(into.Enqueue);
        }
    }
}
