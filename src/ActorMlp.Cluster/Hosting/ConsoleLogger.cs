using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace ActorMlp.Cluster.Hosting;

/// <summary>
/// Akka's log on standard error, one compact line per event. Remoting's reports of a peer's
/// connection closing are dropped: peers leave at the end of every run, and a peer that fails is
/// reported by the coordinator itself when cluster membership marks it unreachable.
/// </summary>
internal sealed class ConsoleLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public ConsoleLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Write);
    }

    static void Write(LogEvent e)
    {
        string message = e.Message?.ToString() ?? "";
        if (IsConnectionNoise(e, message)) return;
        if (IsBootstrap(e))
        {
            // Cluster Bootstrap retries a lookup or a probe that failed every few seconds, each report
            // with its exception's stack: its first line says what failed, once per window.
            int newline = message.IndexOfAny(['\r', '\n']);
            if (newline >= 0) message = message[..newline];
            if (LogThrottle.Shared.Admit(message) is not { } admitted) return;
            message = admitted;
        }
        else if (IsTransport(e))
        {
            // Refused connections arrive as fast as a peer retries; alike ones are written once per window.
            if (LogThrottle.Shared.Admit(message) is not { } admitted) return;
            message = admitted;
        }
        string level = e.LogLevel() switch
        {
            LogLevel.ErrorLevel => "error",
            LogLevel.WarningLevel => "warning",
            LogLevel.InfoLevel => "info",
            _ => "debug",
        };
        string source = e.LogSource.Contains("/user/") ? e.LogSource[(e.LogSource.IndexOf("/user/", StringComparison.Ordinal) + 6)..] : e.LogSource;
        string cause = e is Error { Cause: { } c } ? $" ({c.Message})" : "";
        Console.Error.WriteLine($"[{e.Timestamp:HH:mm:ss.fff} {level}] {source}: {message}{cause}");
    }

    static bool IsTransport(LogEvent e) => e.LogSource.Contains("Tcp", StringComparison.Ordinal);

    static bool IsBootstrap(LogEvent e) => e.LogSource.Contains("/system/bootstrapCoordinator", StringComparison.Ordinal);

    /// <summary>
    /// Remoting's connection chatter. A TLS refusal is written by <see cref="Security.NodeTrust"/> in
    /// one line naming the peer and the reason; the transport's own multi-line reports of the same
    /// handshake (on both sides) add nothing to it.
    /// </summary>
    static bool IsConnectionNoise(LogEvent e, string message)
        => message.StartsWith("TLS handshake failed", StringComparison.Ordinal)
           || message.Contains("Caused by: [Akka.Remote.Transport.InvalidAssociationException: TLS handshake failed", StringComparison.Ordinal)
           || message.StartsWith("Unable to REMOVE channel", StringComparison.Ordinal)
           || e.LogSource.Contains("endpointManager", StringComparison.Ordinal)
           && (message.Contains("Disassociated", StringComparison.Ordinal) || message.Contains("is now gated", StringComparison.Ordinal)
               || (e is Error { Cause: { } cause } && cause.GetType().Name == "EndpointDisassociatedException"));
}
