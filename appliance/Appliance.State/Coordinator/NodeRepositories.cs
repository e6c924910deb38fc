using System.Collections.Concurrent;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Database;
using NodeStore = Appliance.Storage.Stores.NodeStore;
using UserStore = Appliance.Storage.Stores.UserStore;

namespace Appliance.State.Coordinator;

/// <summary>
/// The production repository over the database's `nodes` table (Storage's internal NodeStore; SQLite or
/// PostgreSQL). Rows become <see cref="TailnetNode"/> here, so nothing above it sees a Storage type.
/// </summary>
public sealed class SqliteNodeRepository(ApplianceDatabase database) : INodeRepository
{
    private readonly NodeStore _store = new(database);

    /// <summary>The row as stored now (tests and tools that check what reached the database).</summary>
    public TailnetNode? Get(long id) => _store.Get(id)?.ToTailnet();

    public TailnetNode? Find(long id) => Get(id);

    public IReadOnlyList<TailnetNode> LoadAll() => [.. _store.List().Select(StoredRows.ToTailnet)];

    public WriteResult<TailnetNode> Insert(TailnetNode node) => _store.Insert(node.ToRow()).ToTailnet();

    public WriteResult<TailnetNode> Update(TailnetNode node, NodeColumns columns) => _store.Update(node.ToRow(), columns.ToRow()).ToTailnet();

    public bool Delete(long id) => _store.Delete(id);
}

/// <summary>Users from the database's `users` table (Storage's internal UserStore), as <see cref="TailnetUser"/>.</summary>
public sealed class SqliteUserDirectory(ApplianceDatabase database) : IUserDirectory
{
    private readonly UserStore _store = new(database);

    public TailnetUser? Find(long id) => _store.Get(id).ToTailnetOrNull();

    public TailnetUser? GetByName(string name) => _store.GetByName(name).ToTailnetOrNull();

    public IReadOnlyList<TailnetUser> List() => [.. _store.List().Select(StoredRows.ToTailnet)];
}

/// <summary>
/// A repository kept in memory, with the same uniqueness rules as the SQLite table (machine key, node key, given
/// name, addresses). For benchmarks, load generators and tests that do not exercise SQLite.
/// </summary>
public sealed class InMemoryNodeRepository : INodeRepository
{
    private readonly ConcurrentDictionary<long, TailnetNode> _rows = new();
    private readonly Lock _lock = new();
    private long _nextId;

    public IReadOnlyList<TailnetNode> LoadAll() => [.. _rows.Values.OrderBy(r => r.Id)];

    public WriteResult<TailnetNode> Insert(TailnetNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            var row = node with { Id = ++_nextId };
            if (Collides(row))
            {
                return WriteResult.Conflict<TailnetNode>();
            }

            _rows[row.Id] = row;
            return WriteResult.Ok(row);
        }
    }

    public WriteResult<TailnetNode> Update(TailnetNode node, NodeColumns columns)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            if (!_rows.TryGetValue(node.Id, out var current))
            {
                return WriteResult.NotFound<TailnetNode>();
            }

            var row = NodeColumnCopy.Copy(node, current, columns);
            if (Collides(row))
            {
                return WriteResult.Conflict<TailnetNode>();
            }

            _rows[node.Id] = row;
            return WriteResult.Ok(row);
        }
    }

    public bool Delete(long id) => _rows.TryRemove(id, out _);

    private bool Collides(TailnetNode node) => _rows.Values.Any(r => r.Id != node.Id
        && (r.MachineKey == node.MachineKey || r.NodeKey == node.NodeKey || r.GivenName == node.GivenName
            || (node.IPv4 is not null && node.IPv4.Equals(r.IPv4)) || (node.IPv6 is not null && node.IPv6.Equals(r.IPv6))));
}
