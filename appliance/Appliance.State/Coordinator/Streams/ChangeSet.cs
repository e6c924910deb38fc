using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>
/// What one published version changed, or several merged for a stream that was busy while they were published
/// (<see cref="ChangeLog"/>), so a node changed twice is sent once:
/// a full change supersedes patches and online flips for that node; a removal supersedes everything.
/// </summary>
public sealed class ChangeSet
{
    public HashSet<long> Full { get; } = [];

    public HashSet<long> Removed { get; } = [];

    public Dictionary<long, PeerChange> Patches { get; } = [];

    public Dictionary<long, bool> Online { get; } = [];

    /// <summary>When the earliest change in this set was made (a <see cref="TimeProvider.GetTimestamp"/> value; 0 when none is recorded): the start of change-propagation latency.</summary>
    public long Since { get; set; }

    /// <summary>How many entries the set holds (each node at most once per kind).</summary>
    public int Count => Full.Count + Removed.Count + Patches.Count + Online.Count;

    public bool IsEmpty => Full.Count == 0 && Removed.Count == 0 && Patches.Count == 0 && Online.Count == 0;

    public void AddFull(long id)
    {
        Full.Add(id);
        Patches.Remove(id);
        Online.Remove(id);
    }

    public void AddRemoved(long id)
    {
        Removed.Add(id);
        Full.Remove(id);
        Patches.Remove(id);
        Online.Remove(id);
    }

    public void AddPatch(PeerChange patch)
    {
        ArgumentNullException.ThrowIfNull(patch);
        if (Full.Contains(patch.NodeID) || Removed.Contains(patch.NodeID))
        {
            return;
        }

        Patches[patch.NodeID] = Patches.TryGetValue(patch.NodeID, out var earlier) ? Merge(earlier, patch) : patch;
    }

    public void AddOnline(long id, bool online)
    {
        if (!Full.Contains(id) && !Removed.Contains(id))
        {
            Online[id] = online;
        }
    }

    /// <summary>Adds a later set's changes, with the same precedence as if they had been added here one by one.</summary>
    public void Merge(ChangeSet later) => Merge(later, include: null);

    /// <summary>As <see cref="Merge(ChangeSet)"/>, taking only the nodes <paramref name="include"/> accepts (all when null).</summary>
    public void Merge(ChangeSet later, Func<long, bool>? include)
    {
        ArgumentNullException.ThrowIfNull(later);
        if (later.Since != 0 && (Since == 0 || later.Since < Since))
        {
            Since = later.Since;
        }

        foreach (var id in later.Removed)
        {
            if (include?.Invoke(id) != false)
            {
                AddRemoved(id);
            }
        }

        foreach (var id in later.Full)
        {
            if (include?.Invoke(id) != false)
            {
                AddFull(id);
            }
        }

        foreach (var patch in later.Patches.Values)
        {
            if (include?.Invoke(patch.NodeID) != false)
            {
                AddPatch(patch);
            }
        }

        foreach (var (id, online) in later.Online)
        {
            if (include?.Invoke(id) != false)
            {
                AddOnline(id, online);
            }
        }
    }

    /// <summary>Every node this set names (a node named by a patch and an online flip appears twice).</summary>
    public IEnumerable<long> Ids => Full.Concat(Removed).Concat(Patches.Keys).Concat(Online.Keys);

    /// <summary>Every node this set mentions: their own streams get a personal message.</summary>
    public bool Involves(long id) => Full.Contains(id) || Patches.ContainsKey(id) || Online.ContainsKey(id) || Removed.Contains(id);

    private static PeerChange Merge(PeerChange a, PeerChange b) => a with
    {
        DERPRegion = b.DERPRegion != 0 ? b.DERPRegion : a.DERPRegion,
        Endpoints = b.Endpoints ?? a.Endpoints,
        Key = b.Key.IsZero ? a.Key : b.Key,
        DiscoKey = b.DiscoKey.IsZero ? a.DiscoKey : b.DiscoKey,
        Online = b.Online ?? a.Online,
        LastSeen = b.LastSeen ?? a.LastSeen,
        KeyExpiry = b.KeyExpiry ?? a.KeyExpiry,
    };
}
