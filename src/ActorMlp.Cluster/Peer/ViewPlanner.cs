using ActorMlp.Cluster.Actors;
using ActorMlp.Cluster.Protocol;

namespace ActorMlp.Cluster.Peer;

/// <summary>A worker that answered the pause: its cores, where its peers reach it, and its replica's step (−1: none).</summary>
internal sealed record ViewCandidate(string Id, int Cores, string Endpoint, long Step);

/// <summary>
/// Plans the membership a peer-to-peer run continues with after a pause, from what the paused workers
/// said. Pure: the coordinator actor only carries the plan out.
/// The run continues from the newest state anyone holds. Replicas are never more than one step apart
/// (no step completes without every member's leaves), so the members a step behind, and the ones
/// that just joined, take the state of a member that is ahead; when no member holds a state as new
/// as the coordinator's own (every replica was lost, or the run was resumed), they take the
/// coordinator's, which for a fresh run at step 0 each replica makes itself from the seed.
/// The same holds when the coordinator waits for the state of a step every replica has passed.
/// Leaves are split by cores in member order (ids, ordinal); member i owns slice i.
/// </summary>
internal static class ViewPlanner
{
    /// <param name="coordinatorStep">The step of the state the coordinator holds.</param>
    /// <param name="fromSeed">That state is the run's initial one, which every replica can make itself.</param>
    /// <param name="awaitedStep">The step whose state the coordinator is waiting for, or −1.</param>
    public static InstallView Plan(int view, IReadOnlyList<ViewCandidate> candidates, int leaves, long coordinatorStep, bool fromSeed,
        long awaitedStep, bool hold = false)
    {
        if (candidates.Count == 0) throw new ArgumentException("a view needs at least one member", nameof(candidates));
        var members = candidates.OrderBy(c => c.Id, StringComparer.Ordinal).ToArray();
        long newest = members.Max(m => m.Step);
        string source;
        long step;
        // A state the coordinator waits for must come from a replica still at that step; if they all
        // went past it (its reporter was lost before it arrived), the run steps back to the coordinator's.
        bool passed = awaitedStep >= 0 && newest > awaitedStep;
        if (newest >= 0 && newest >= coordinatorStep && !passed)
        {
            step = newest;
            source = members.First(m => m.Step == newest).Id;
        }
        else
        {
            step = coordinatorStep;
            source = fromSeed ? InstallView.Seed : InstallView.Coordinator;
        }
        var ranges = LeafRanges.Split(0, leaves, members.Select(m => m.Cores).ToList());
        return new InstallView(view, step,
            members.Select(m => m.Id).ToArray(), members.Select(m => m.Endpoint).ToArray(),
            ranges.Select(r => r.Start).ToArray(), ranges.Select(r => r.End).ToArray(),
            source, members.Where(m => m.Step != step).Select(m => m.Id).ToArray(),
            members[0].Id, ReportNow: awaitedStep == step || hold, Hold: hold);
    }
}
