using System.Globalization;
using ActorMlp.Cli.CommandLine;
using ActorMlp.Cli.Settings;
using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Hosting;
using ActorMlp.Cluster.Protocol;
using Akka.Actor;

namespace ActorMlp.Cli.Commands;

/// <summary>
/// `actormlp status --coordinator ADDR`: asks a running coordinator where its run stands and prints
/// it — state, step, epoch, samples per second, and each worker with its last step's compute and wait
/// time. It starts a short-lived remoting node that does not join the cluster (the run never sees a
/// member come and go) and asks the coordinator's actor directly.
/// Exit codes: 0 answered; 1 no answer within --timeout; 2 bad flags.
/// </summary>
internal static class StatusCommand
{
    public static int Run(ParsedArguments args, TextWriter output, TextWriter error)
    {
        string given = args.Get("--coordinator")
            ?? throw new UsageException("status needs --coordinator akka.tcp://actormlp@HOST:PORT (the coordinator's address)");
        if (!Address.TryParse(given, out var address) || address.Host is null || address.Port is null)
            throw new UsageException($"--coordinator '{given}' is not an address like akka.tcp://actormlp@HOST:PORT");
        var config = ConfigLoader.Load(args, OptionTable.Status);
        double seconds = new SettingsReader(config, OptionTable.FlagOf(OptionTable.Status)).Double("actormlp.status.timeout-seconds", 0, 3600, exclusiveMin: true);
        ClusterSettings cluster;
        try { cluster = ClusterSettings.From(config); }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or Akka.Configuration.ConfigurationException)
        {
            throw new UsageException(e.Message, e);
        }
        // The node's own setting decides the transport, whichever way the address was written.
        address = address.WithProtocol(cluster.Trust is null ? "akka.tcp" : "akka.ssl.tcp");

        var system = ClusterNode.StartClient(config, cluster);
        try
        {
            var coordinator = system.ActorSelection(new RootActorPath(address) / "user" / CoordinatorActor.Name);
            StatusReported status;
            try { status = coordinator.Ask<StatusReported>(new GetStatus(), TimeSpan.FromSeconds(seconds)).GetAwaiter().GetResult(); }
            catch (AskTimeoutException)
            {
                error.WriteLine($"actormlp: no answer from a coordinator at {given} within {seconds:0.#} s; is its run going, and are those its --hostname and --port?");
                return 1;
            }
            output.Write(Format(status));
            return 0;
        }
        finally
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(5));
        }
    }

    /// <summary>The run on one line, then a row per worker.</summary>
    public static string Format(StatusReported s)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"run {s.State}: step {s.Step} of {s.TotalSteps}, epoch {s.Epoch} of {s.Epochs}, {s.SamplesPerSecond:F0} samples/s, {s.Workers.Length} worker(s)\n");
        if (s.Workers.Length == 0) return text.ToString();
        text.Append(CultureInfo.InvariantCulture, $"{"worker",-24} {"cores",5} {"last step",10} {"compute ms",11} {"wait ms",9}\n");
        foreach (var w in s.Workers)
            text.Append(w.LastStep < 0
                ? FormattableString.Invariant($"{w.WorkerId,-24} {w.Cores,5} {"-",10} {"-",11} {"-",9}\n")
                : FormattableString.Invariant($"{w.WorkerId,-24} {w.Cores,5} {w.LastStep,10} {w.ComputeSeconds * 1000,11:F2} {w.WaitSeconds * 1000,9:F2}\n"));
        return text.ToString();
    }
}
