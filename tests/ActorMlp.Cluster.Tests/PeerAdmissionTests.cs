using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using ActorMlp.Cluster.Links;
using ActorMlp.Cluster.Security;
using Akka.Actor;

namespace ActorMlp.Cluster.Tests;

/// <summary>Who may open a peer link: the run token alone lets no one in, only an id the run admitted.</summary>
public sealed class PeerAdmissionTests
{
    const long Token = 7;
    static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    static readonly PeerFrameHeader Applied = new(PeerFrameKind.Applied, 0, 0, 0, 1, 3, Token, 2);
    static readonly float[] Metrics = [1, 2];

    static PeerLinks Links(string id, ConcurrentQueue<string>? warnings = null, NodeTrust? trust = null, TimeSpan? admission = null)
        => new(id, "127.0.0.1", 0, Token, 16, 64, ActorRefs.Nobody, 1 << 16, line => warnings?.Enqueue(line), trust)
        {
            AdmissionTimeout = admission ?? TimeSpan.FromSeconds(10),
        };

    static NodeTrust Trust(X509Certificate2 authority, string name)
        => new(X509CertificateLoader.LoadCertificate(authority.RawData),
            CertificateFactory.CreateNode(authority, name, ["127.0.0.1"], Now.AddMinutes(-5), Now.AddDays(1)));

    static PeerFrame Next(PeerLinks links)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        PeerFrame frame;
        while (!links.TryTake(out frame)) { Assert.True(limit.ElapsedMilliseconds < 10_000, "no frame arrived"); Thread.Sleep(5); }
        return frame;
    }

    static void Until(Func<bool> condition, string what)
    {
        var limit = System.Diagnostics.Stopwatch.StartNew();
        while (!condition()) { Assert.True(limit.ElapsedMilliseconds < 10_000, $"no {what}"); Thread.Sleep(5); }
    }

    [Fact]
    public void A_hello_with_the_run_token_from_an_id_not_admitted_is_refused_with_one_line_naming_the_endpoint_and_the_id()
    {
        var warnings = new ConcurrentQueue<string>();
        using var member = Links("b", warnings, admission: TimeSpan.FromMilliseconds(200));
        member.Admit("a");
        using var intruder = Links("mallory");
        using var a = Links("a");

        Assert.True(intruder.Send("b", member.Endpoint, Applied with { Step = 99 }, Metrics.AsSpan()));
        Until(() => warnings.Any(w => w.Contains("'mallory'")), "refusal of mallory");
        Assert.True(a.Send("b", member.Endpoint, Applied, Metrics.AsSpan()));

        var frame = Next(member);
        Assert.Equal(("a", 3L), (frame.From, frame.Header.Step));
        Assert.False(member.TryTake(out _));
        string refusal = Assert.Single(warnings);
        Assert.Matches(@"^a peer connection from 127\.0\.0\.1:\d+ was refused: it says it is 'mallory', which is not a member of this run's view$", refusal);
    }

    [Fact]
    public void A_hello_that_comes_before_the_view_naming_its_sender_is_taken_once_that_view_is_installed()
    {
        using var member = Links("b");
        member.AdmitOnly(["coordinator", "b"]);
        using var early = Links("c");
        Assert.True(early.Send("b", member.Endpoint, Applied, Metrics.AsSpan()));
        Thread.Sleep(100); // the hello is read and waits: nothing may come out of it yet
        Assert.False(member.TryTake(out _));

        member.AdmitOnly(["coordinator", "b", "c"]);
        Assert.Equal("c", Next(member).From);
    }

    [Fact]
    public void A_node_with_a_certificate_of_the_cluster_cannot_open_a_link_under_an_id_the_view_does_not_hold()
    {
        var authority = CertificateFactory.CreateAuthority($"test CA {Guid.NewGuid():N}", Now.AddMinutes(-5), Now.AddDays(1));
        var warnings = new ConcurrentQueue<string>();
        using var member = Links("b", warnings, Trust(authority, "b"), TimeSpan.FromMilliseconds(200));
        member.AdmitOnly(["coordinator", "a", "b"]);
        using var dropped = Links("d", trust: Trust(authority, "d"));
        Assert.True(dropped.Send("b", member.Endpoint, Applied, Metrics.AsSpan()));
        Until(() => warnings.Any(w => w.Contains("'d'") && w.Contains("not a member")), "refusal of d");

        using var a = Links("a", trust: Trust(authority, "a"));
        Assert.True(a.Send("b", member.Endpoint, Applied, Metrics.AsSpan()));
        Assert.Equal("a", Next(member).From);
        Assert.False(member.TryTake(out _));
    }
}
