namespace ActorMlp.Cluster.Links;

/// <summary>
/// The node ids a peer endpoint takes a hello from: the coordinator's registered workers, or a
/// worker's current view and the coordinator. The run token alone lets no one in, so a node that
/// learned it — or a member claiming another's id — cannot open a link under an id the run did not give.
/// A hello can come before the view that names its sender (a peer that installed the view first):
/// <see cref="Await"/> lets it wait a bounded time for that view rather than refusing it at once.
/// </summary>
internal sealed class PeerAdmission
{
    readonly HashSet<string> _members = [];
    readonly object _gate = new();

    public void Admit(string id)
    {
        lock (_gate)
        {
            _members.Add(id);
            Monitor.PulseAll(_gate);
        }
    }

    public void Revoke(string id)
    {
        lock (_gate) _members.Remove(id);
    }

    /// <summary>Admits exactly <paramref name="ids"/>: those of an earlier view that are not among them are refused from now on.</summary>
    public void AdmitOnly(IEnumerable<string> ids)
    {
        lock (_gate)
        {
            _members.Clear();
            _members.UnionWith(ids);
            Monitor.PulseAll(_gate);
        }
    }

    public bool Admits(string id)
    {
        lock (_gate) return _members.Contains(id);
    }

    /// <summary>True once <paramref name="id"/> is admitted, false when it is not within <paramref name="timeout"/>.</summary>
    public bool Await(string id, TimeSpan timeout)
    {
        var limit = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            while (!_members.Contains(id))
            {
                var left = limit - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left)) return _members.Contains(id);
            }
            return true;
        }
    }
}
