using System.Runtime.InteropServices;
using ActorMlp.Cli.CommandLine;

namespace ActorMlp.Cli.Tests;

public sealed class StopSignalTests
{
    [Fact]
    public void A_signal_cancels_the_token_and_names_itself()
    {
        using var stop = new StopSignal();
        var context = new PosixSignalContext(PosixSignal.SIGTERM);
        stop.Handle(context);

        Assert.True(stop.Token.IsCancellationRequested);
        Assert.True(context.Cancel);
        Assert.Equal(143, stop.ExitCode);
        Assert.Equal("SIGTERM", stop.Name);
    }

    [Fact]
    public void A_signal_handled_after_the_command_ended_neither_throws_nor_keeps_the_process()
    {
        var stop = new StopSignal();
        stop.Dispose();
        var context = new PosixSignalContext(PosixSignal.SIGTERM);

        stop.Handle(context); // a handler already running when the command ended: this threw ObjectDisposedException
        stop.Dispose();

        Assert.False(context.Cancel);
        Assert.Null(stop.Signal);
    }
}
