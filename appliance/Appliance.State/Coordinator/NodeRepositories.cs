using System.Collections.Concurrent;
using Appliance.Storage.Stores;

namespace Appliance.State.Coordinator;

/// <summary>The production repository: the storage helper's SQLite <see cref="NodeStore"/>.</summary>
public sealed class SqliteNodeRepository(NodeStore store) : INodeRepository
{
    public IReadOnlyList<NodeRecord> LoadAll() => store.List();

    public NodeRecord? Find(long id) => store.Get(id);

    public WriteResult<NodeRecord> Insert(NodeRecord node) => store.Insert(node);

    public WriteResult<NodeRecord> Update(NodeRecord node, NodeColumns columns) => store.Update(node, columns);

    public bool Delete(long id) => store.Delete(id);
}

/// <summary>Users from the storage helper's SQLite <see cref="UserStore"/>.</summary>
public sealed class SqliteUserDirectory(UserStore store) : IUserDirectory
{
    public UserRecord? Find(long id) => store.Get(id);

    public UserRecord? GetByName(string name) => store.GetByName(name);

    public IReadOnlyList<UserRecord> List() => store.List();
}

/// <summary>
/// A repository kept in memory, with the same uniqueness rules as the SQLite table (machine key, node key, given
/// name, addresses). For benchmarks, load generators and tests that do not exercise SQLite.
/// </summary>
public sealed class InMemoryNodeRepository : INodeRepository
{
    private readonly ConcurrentDictionary<long, NodeRecord> _rows = new();
    private readonly Lock _lock = new();
    private long _nextId;

    public IReadOnlyList<NodeRecord> LoadAll() => [.. _rows.Values.OrderBy(r => r.Id)];

    public WriteResult<NodeRecord> Insert(NodeRecord node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            var row = node with { Id = ++_nextId };
            if (Collides(row))
            {
                return WriteResult.Conflict<NodeRecord>();
            }

            _rows[row.Id] = row;
            return WriteResult.Ok(row);
        }
    }

    public WriteResult<NodeRecord> Update(NodeRecord node, NodeColumns columns)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            if (!_rows.TryGetValue(node.Id, out var current))
            {
                return WriteResult.NotFound<NodeRecord>();
            }

            var row = NodeColumnCopy.Copy(node, current, columns);
            if (Collides(row))
            {
                return WriteResult.Conflict<NodeRecord>();
            }

            _rows[node.Id] = row;
            return WriteResult.Ok(row);
        }
    }

    public bool Delete(long id) => _rows.TryRemove(id, out _);

    private bool Collides(NodeRecord node) => _rows.Values.Any(r => r.Id != node.Id
        && (r.MachineKey == node.MachineKey || r.NodeKey == node.NodeKey || r.GivenName == node.GivenName
            || (node.IPv4 is not null && node.IPv4.Equals(r.IPv4)) || (node.IPv6 is not null && node.IPv6.Equals(r.IPv6))));
}
