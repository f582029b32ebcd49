namespace ActorMlp.Cluster.Actors;

/// <summary>
/// Who computes each leaf of the step in flight: the star coordinator's schedule, kept apart from the
/// actor so it can be tested without one. A leaf has at most one owner at a time; a leaf that is
/// covered (its value is in the tree, as <c>covered</c> says) needs no owner any more and ends every run.
/// Invariant: a run is a maximal stretch of uncovered leaves with one owner (or none), so giving a run's
/// leaves to other workers never changes the runs after it.
/// </summary>
internal sealed class LeafOwners(int leaves, Func<int, bool> covered)
{
    readonly string?[] _owner = new string?[leaves];

    public int Count => _owner.Length;

    public string? this[int leaf] => _owner[leaf];

    /// <summary>A new step: no leaf has an owner.</summary>
    public void Clear() => Array.Fill(_owner, null);

    public void Assign(int first, int end, string worker)
    {
        for (int leaf = first; leaf < end; leaf++) _owner[leaf] = worker;
    }

    /// <summary>Takes every leaf from <paramref name="worker"/>; returns how many of them were still undone.</summary>
    public int Release(string worker)
    {
        int undone = 0;
        for (int leaf = 0; leaf < _owner.Length; leaf++)
            if (_owner[leaf] == worker)
            {
                _owner[leaf] = null;
                if (!covered(leaf)) undone++;
            }
        return undone;
    }

    /// <summary>The workers that still own an undone leaf.</summary>
    public HashSet<string> Holding()
    {
        var holding = new HashSet<string>();
        for (int leaf = 0; leaf < _owner.Length; leaf++)
            if (_owner[leaf] is { } id && !covered(leaf)) holding.Add(id);
        return holding;
    }

    /// <summary>The runs of undone leaves whose owner <paramref name="select"/> picks (null: no owner), in leaf order.</summary>
    public List<(string? Owner, int First, int End)> Runs(Func<string?, bool> select)
    {
        var runs = new List<(string?, int, int)>();
        int leaf = 0;
        while (leaf < _owner.Length)
        {
            string? owner = _owner[leaf];
            if (!select(owner) || covered(leaf)) { leaf++; continue; }
            int end = leaf;
            while (end < _owner.Length && _owner[end] == owner && !covered(end)) end++;
            runs.Add((owner, leaf, end));
            leaf = end;
        }
        return runs;
    }
}
