namespace ActorMlp.TestKit;

/// <summary>
/// One fault: on worker Worker, at step Step and phase Phase, do Kind. Frame faults (Delay, Drop, Corrupt)
/// act on every frame of that step in that phase; the others act once, the first time the worker gets there.
/// <list type="bullet">
/// <item>Kill: closes the worker's tensor socket and terminates its ActorSystem without leaving the cluster (a crash, as the
/// coordinator sees it: a closed link, then a node that stops answering heartbeats; the test process itself lives on).</item>
/// <item>Pause: blocks the worker actor's thread for Duration (a straggler: its remoting and heartbeats go on).</item>
/// <item>Delay: holds each frame of the step for Duration on the worker actor's thread before it is read or sent.</item>
/// <item>Drop: the frame is lost: weights the worker never sees, or a subtree the coordinator never gets.</item>
/// <item>Corrupt: flips the top mantissa bit of every value in the frame (the tensor link has no checksum: the receiver takes the values as they come).</item>
/// <item>Partition: blackholes Akka remoting between the worker and the coordinator in both directions (Akka.Remote's
/// throttler transport adapter, as the multi-node test conductor does) and drops every later frame of its tensor link.</item>
/// <item>Action: runs Then (for example starting another worker mid-run), on the worker actor's thread.</item>
/// </list>
/// </summary>
public sealed record FaultRule(string Worker, long Step, FaultPhase Phase, FaultKind Kind, TimeSpan Duration = default, Action? Then = null);
