using System.Runtime.InteropServices;

namespace ActorMlp.Cli.CommandLine;

/// <summary>
/// SIGINT and SIGTERM asking a command to stop: instead of the process dying on the spot, the token
/// is cancelled and the command winds down its own way (a checkpoint, telling the workers, leaving
/// the cluster). Exit codes follow the shell's convention: 130 for SIGINT, 143 for SIGTERM.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    readonly CancellationTokenSource _stop = new();
    readonly PosixSignalRegistration[] _registrations;
    // A signal's handler runs on a thread of its own and may still be running when the command ends
    // and disposes this: the flag, under the lock, keeps it from cancelling a disposed source.
    readonly Lock _gate = new();
    bool _disposed;

    public StopSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle),
        ];
    }

    public CancellationToken Token => _stop.Token;

    public PosixSignal? Signal { get; private set; }

    public int ExitCode => Signal == PosixSignal.SIGTERM ? 143 : 130;

    public string Name => Signal == PosixSignal.SIGTERM ? "SIGTERM" : "SIGINT";

    internal void Handle(PosixSignalContext context)
    {
        lock (_gate)
        {
            // Once the command is over, the signal takes its default course: the process ends.
            if (_disposed) return;
            context.Cancel = true;
            Signal ??= context.Signal;
            _stop.Cancel();
        }
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            _stop.Dispose();
        }
    }
}
