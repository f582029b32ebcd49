using System.Diagnostics;
using ActorMlp.Cli.Settings;

namespace ActorMlp.Cli.Runs;

/// <summary>
/// Shows a run's progress: on a terminal a live bar redrawn at most ten times a second, with loss
/// and throughput; otherwise (a pipe, a CI log) one line per epoch and no carriage returns.
/// </summary>
internal sealed class ProgressReporter
{
    readonly TextWriter _out;
    readonly bool _bar, _quiet;
    readonly Stopwatch _sinceDraw = Stopwatch.StartNew();
    bool _barShown;

    public ProgressReporter(TextWriter output, ProgressMode mode, bool terminal)
    {
        _out = output;
        _quiet = mode == ProgressMode.None;
        _bar = mode == ProgressMode.Bar || (mode == ProgressMode.Auto && terminal);
    }

    public void Step(int epoch, int epochs, long stepInEpoch, long stepsPerEpoch, double loss, double samplesPerSecond)
    {
        if (!_bar || _quiet || (_sinceDraw.ElapsedMilliseconds < 100 && stepInEpoch != stepsPerEpoch)) return;
        _sinceDraw.Restart();
        const int width = 30;
        int filled = (int)(width * stepInEpoch / Math.Max(1, stepsPerEpoch));
        _out.Write($"\repoch {epoch}/{epochs} [{new string('#', filled)}{new string('.', width - filled)}] {stepInEpoch}/{stepsPerEpoch} loss {loss:F4} {samplesPerSecond:N0} samples/s ");
        _out.Flush();
        _barShown = true;
    }

    public void Line(string text)
    {
        if (_quiet) return;
        if (_barShown) _out.Write("\r" + new string(' ', 100) + "\r");
        _barShown = false;
        _out.WriteLine(text);
        _out.Flush();
    }
}
