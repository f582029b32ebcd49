using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Commands;

namespace ActorMlp.Cli.Tests;

public sealed class TlsJoinBackoffTests
{
    const string Seed = "akka.ssl.tcp://actormlp@10.0.0.1:4053";
    static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Failed_handshakes_wait_1_2_4_8_s_then_what_is_left_and_give_up_with_the_reason_at_the_join_timeout()
    {
        var backoff = new TlsJoinBackoff(TimeSpan.FromSeconds(30), null, "w3");
        var output = new StringWriter();
        var now = Start;
        var pauses = new List<double>();
        for (int i = 0; i < 5; i++)
        {
            var pause = backoff.Failed(output, Seed, now);
            pauses.Add(pause.TotalSeconds);
            now += pause;
        }
        Assert.Equal([1, 2, 4, 8, 15], pauses);
        var e = Assert.Throws<UsageException>(() => backoff.Failed(output, Seed, now));
        Assert.StartsWith($"the TLS handshake with {Seed} failed: the coordinator refused this worker's certificate", e.Message);
        Assert.Contains("for 30 s (actormlp.cluster.join-timeout)", e.Message);
        string said = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"worker w3: the TLS handshake with {Seed} failed", said);
    }

    [Fact]
    public void A_node_that_ends_otherwise_starts_the_count_and_the_pauses_again()
    {
        var backoff = new TlsJoinBackoff(TimeSpan.FromSeconds(10), null, "w3");
        var output = new StringWriter();
        backoff.Failed(output, Seed, Start);
        backoff.Failed(output, Seed, Start.AddSeconds(1));
        backoff.Reset();
        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Failed(output, Seed, Start.AddSeconds(20)));
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Failed(output, Seed, Start.AddSeconds(21)));
        Assert.Equal(2, output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
