using ActorMlp.Cluster.Actors;

namespace ActorMlp.Cluster.Tests;

public class LeafOwnersTests
{
    static (LeafOwners Owners, bool[] Covered) Make(int leaves)
    {
        var covered = new bool[leaves];
        return (new LeafOwners(leaves, leaf => covered[leaf]), covered);
    }

    [Fact]
    public void A_new_step_is_one_run_of_unowned_leaves()
    {
        var (owners, _) = Make(16);
        owners.Assign(0, 16, "w1");
        owners.Clear();
        Assert.Equal([(null, 0, 16)], owners.Runs(owner => owner is null));
    }

    [Fact]
    public void Runs_end_where_the_owner_changes_or_a_leaf_is_covered()
    {
        var (owners, covered) = Make(12);
        owners.Assign(0, 4, "a");
        owners.Assign(4, 8, "b");
        owners.Assign(8, 12, "a");
        covered[2] = true;
        Assert.Equal([("a", 0, 2), ("a", 3, 4), ("a", 8, 12)], owners.Runs(owner => owner == "a"));
        Assert.Equal([("b", 4, 8)], owners.Runs(owner => owner == "b"));
        Assert.Empty(owners.Runs(owner => owner is null));
    }

    [Fact]
    public void Releasing_a_worker_counts_only_its_undone_leaves_and_leaves_them_unowned()
    {
        var (owners, covered) = Make(8);
        owners.Assign(0, 5, "lost");
        owners.Assign(5, 8, "kept");
        covered[0] = covered[1] = true;
        Assert.Equal(3, owners.Release("lost"));
        Assert.Equal(0, owners.Release("nobody"));
        Assert.Equal([(null, 2, 5)], owners.Runs(owner => owner is null));
        Assert.Equal("kept", owners[5]);
    }

    [Fact]
    public void Only_workers_with_undone_leaves_are_holding_the_step()
    {
        var (owners, covered) = Make(6);
        owners.Assign(0, 3, "done");
        owners.Assign(3, 6, "late");
        covered[0] = covered[1] = covered[2] = covered[3] = true;
        Assert.Equal(["late"], owners.Holding());
        covered[4] = covered[5] = true;
        Assert.Empty(owners.Holding());
    }

    [Fact]
    public void Giving_a_run_to_other_workers_leaves_the_later_runs_as_they_were()
    {
        var (owners, _) = Make(10);
        owners.Assign(3, 5, "x");
        var before = owners.Runs(owner => owner is null);
        Assert.Equal([(null, 0, 3), (null, 5, 10)], before);
        owners.Assign(0, 2, "y");
        owners.Assign(2, 3, "z");
        Assert.Equal([(null, 5, 10)], owners.Runs(owner => owner is null));
    }
}
