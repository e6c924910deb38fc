using Appliance.Protocol.Control;
using Appliance.State.Identity;
using Appliance.State.Nodes;

namespace Appliance.State.Coordinator;

/// <summary>
/// Where node rows are persisted. The coordinator loads every row at start and writes through on each change,
/// under its write lock; <see cref="SqliteNodeRepository"/> is the production implementation. An update names the
/// columns it changes and writes only those (issue 12: no writer replaces a row with an older copy).
/// </summary>
public interface INodeRepository
{
    IReadOnlyList<TailnetNode> LoadAll();

    /// <summary>The stored row with this id, or null: how a change another appliance committed is read (docs/ops/ha.md).</summary>
    TailnetNode? Find(long id) => LoadAll().FirstOrDefault(r => r.Id == id);

    WriteResult<TailnetNode> Insert(TailnetNode node);

    /// <summary>Writes <paramref name="columns"/> of the row with <paramref name="node"/>'s id; returns the row as stored.</summary>
    WriteResult<TailnetNode> Update(TailnetNode node, NodeColumns columns);

    bool Delete(long id);
}

/// <summary>Users as the coordinator needs them: lookups for profiles and for interactive approval.</summary>
public interface IUserDirectory
{
    TailnetUser? Find(long id);

    TailnetUser? GetByName(string name);

    /// <summary>Every user, for the policy (login names, the tailnet's domain); directories that cannot list return none.</summary>
    IReadOnlyList<TailnetUser> List() => [];
}

/// <summary>
/// Pre-auth keys at registration (State's IdentityService over the database). A key is checked first, and its use
/// is counted only together with the node it registers (issue 12: a node write that fails must not burn a
/// single-use key).
/// </summary>
public interface IPreAuthKeyAuthority
{
    /// <summary>Checks a presented key without counting a use.</summary>
    PreAuthKeyUse Check(string presentedKey, DateTimeOffset now);

    /// <summary>
    /// Counts one use of <paramref name="key"/> and runs <paramref name="write"/> (the node's insert or update) as
    /// one transaction: when the key can no longer be used (a racing registration took a single-use key) the write
    /// does not run; when the write is not Ok, or throws, the use is not counted either.
    /// </summary>
    ClaimedWrite<T> WriteClaiming<T>(PreAuthKey key, DateTimeOffset now, Func<WriteResult<T>> write)
        where T : class;
}

/// <summary>What <see cref="IPreAuthKeyAuthority.WriteClaiming{T}"/> did: the claim (Valid: counted, and the write ran) and the write.</summary>
public readonly record struct ClaimedWrite<T>(PreAuthKeyCheck Key, WriteResult<T> Write)
    where T : class;

/// <summary>Factories for <see cref="ClaimedWrite{T}"/>.</summary>
public static class ClaimedWrite
{
    /// <summary>The key could not be used (<paramref name="key"/> says why); nothing was written.</summary>
    public static ClaimedWrite<T> Refused<T>(PreAuthKeyCheck key)
        where T : class => new(key, WriteResult.NotFound<T>());
}

/// <summary>
/// The packet filter each node receives when no policy is active (TailnetSnapshot.Policy): the default allows
/// everything, as Tailscale and Headscale do without a policy (an absent filter would make clients drop all inbound
/// traffic). With a policy, each node's filter comes from its <c>NodeMapPolicy</c> instead.
/// </summary>
public interface IPacketFilterProvider
{
    IReadOnlyList<FilterRule> FilterFor(TailnetSnapshot snapshot, NodeEntry self);
}

/// <summary>The allow-all filter: <c>[{"SrcIPs":["*"],"DstPorts":[{"IP":"*","Ports":{"First":0,"Last":65535}}]}]</c>.</summary>
public sealed class AllowAllPacketFilter : IPacketFilterProvider
{
    private static readonly IReadOnlyList<FilterRule> Rules = [FilterRule.AllowAll];

    public IReadOnlyList<FilterRule> FilterFor(TailnetSnapshot snapshot, NodeEntry self) => Rules;
}

/// <summary>The DERP map sent to every node. Never fetched from anywhere: config, a local file or the embedded region.</summary>
public interface IDerpMapProvider
{
    DERPMap Current { get; }
}
