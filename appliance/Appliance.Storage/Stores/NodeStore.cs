using Appliance.Protocol.Keys;
using Appliance.Storage.Database;
using System.Data.Common;

namespace Appliance.Storage.Stores;

/// <summary>
/// The `nodes` table. Reads here are for start-up loading and operator commands; hot paths (map building, DERP
/// admission) read State's in-memory snapshot, which its owner refreshes after each write.
/// </summary>
internal sealed class NodeStore(ApplianceDatabase database)
{
    private const string SelectAll = $"SELECT {NodeRows.Columns} FROM nodes";

    /// <summary>Inserts a new node (its Id must be 0) and returns it with its assigned id.</summary>
    /// <returns>Conflict when the machine key, node key, given name or an address is already used.</returns>
    public WriteResult<NodeRecord> Insert(NodeRecord node)
    {
        using var connection = database.OpenConnection();
        return Insert(connection, null, node);
    }

    /// <summary>Replaces every column of the node with this id.</summary>
    public WriteResult<NodeRecord> Update(NodeRecord node)
    {
        using var connection = database.OpenConnection();
        return Update(connection, null, node);
    }

    /// <summary>
    /// Writes only <paramref name="columns"/> of the node with this id (from <paramref name="node"/>) and returns the
    /// row as stored, so a concurrent writer's other columns survive. NotFound when the id is gone.
    /// </summary>
    public WriteResult<NodeRecord> Update(NodeRecord node, NodeColumns columns)
    {
        ArgumentNullException.ThrowIfNull(node);
        using var connection = database.OpenConnection();
        if (columns == NodeColumns.None)
        {
            using var read = connection.Command($"{SelectAll} WHERE id = @v;").With("@v", node.Id);
            return read.ReadSingle(NodeRows.Map) is { } unchanged ? WriteResult.Ok(unchanged) : WriteResult.NotFound<NodeRecord>();
        }

        try
        {
            using var command = connection.Command(
                $"UPDATE nodes SET {NodeRows.AssignmentsFor(columns)} WHERE id = @id RETURNING {NodeRows.Columns};")
                .Bind(node).With("@id", node.Id);
            var row = command.ReadSingle(NodeRows.Map);
            return row is null ? WriteResult.NotFound<NodeRecord>() : WriteResult.Ok(row);
        }
        catch (DbException e) when (e.IsUniqueViolation())
        {
            return WriteResult.Conflict<NodeRecord>();
        }
    }

    public NodeRecord? Get(long id) => Single($"{SelectAll} WHERE id = @v;", id);

    public NodeRecord? GetByMachineKey(MachinePublic key) => Single($"{SelectAll} WHERE machine_key = @v;", key.ToString());

    public NodeRecord? GetByNodeKey(NodePublic key) => Single($"{SelectAll} WHERE node_key = @v;", key.ToString());

    public NodeRecord? GetByGivenName(string givenName) => Single($"{SelectAll} WHERE given_name = @v;", givenName);

    public IReadOnlyList<NodeRecord> List()
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"{SelectAll} ORDER BY id;");
        return command.ReadAll(NodeRows.Map);
    }

    public IReadOnlyList<NodeRecord> ListByUser(long userId)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"{SelectAll} WHERE user_id = @u ORDER BY id;").With("@u", userId);
        return command.ReadAll(NodeRows.Map);
    }

    public bool Delete(long id)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("DELETE FROM nodes WHERE id = @id;").With("@id", id);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Records when the node was last connected, without touching anything else.</summary>
    public bool SetLastSeen(long id, DateTimeOffset lastSeen)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("UPDATE nodes SET last_seen = @t WHERE id = @id;")
            .With("@id", id).With("@t", SqlValues.ToDb(lastSeen));
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// Atomically reads the node with this machine key and writes what <paramref name="change"/> returns for it,
    /// in one IMMEDIATE transaction (no other writer can slip in between). <paramref name="change"/> receives null
    /// when no node has the key; returning a record with Id 0 inserts it, returning null writes nothing (NotFound).
    /// This is the registration path: re-registration updates, first registration inserts.
    /// </summary>
    public WriteResult<NodeRecord> Upsert(MachinePublic machineKey, Func<NodeRecord?, NodeRecord?> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginWrite();
        NodeRecord? existing;
        using (var find = connection.Command($"{SelectAll} WHERE machine_key = @v{database.ForUpdate()};", transaction).With("@v", machineKey.ToString()))
        {
            existing = find.ReadSingle(NodeRows.Map);
        }

        var wanted = change(existing);
        if (wanted is null)
        {
            return WriteResult.NotFound<NodeRecord>();
        }

        if (wanted.MachineKey != machineKey || (existing is not null && wanted.Id != existing.Id))
        {
            throw new InvalidOperationException("an upsert must keep the machine key and the existing node's id");
        }

        var result = existing is null ? Insert(connection, transaction, wanted) : Update(connection, transaction, wanted);
        if (result.IsOk)
        {
            transaction.Commit();
        }

        return result;
    }

    /// <summary>Atomically updates the node with this machine key; NotFound when there is none.</summary>
    public WriteResult<NodeRecord> UpdateByMachineKey(MachinePublic machineKey, Func<NodeRecord, NodeRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Upsert(machineKey, existing => existing is null ? null : change(existing));
    }

    private static WriteResult<NodeRecord> Insert(DbConnection connection, DbTransaction? transaction, NodeRecord node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Id != 0)
        {
            throw new ArgumentException("a new node has Id 0; the database assigns it", nameof(node));
        }

        try
        {
            using var command = connection.Command(
                $"INSERT INTO nodes ({NodeRows.InsertColumns}) VALUES ({NodeRows.Parameters}) RETURNING {NodeRows.Columns};", transaction)
                .Bind(node);
            return WriteResult.Ok(command.ReadSingle(NodeRows.Map)!);
        }
        catch (DbException e) when (e.IsUniqueViolation())
        {
            return WriteResult.Conflict<NodeRecord>();
        }
    }

    private static WriteResult<NodeRecord> Update(DbConnection connection, DbTransaction? transaction, NodeRecord node)
    {
        ArgumentNullException.ThrowIfNull(node);
        try
        {
            using var command = connection.Command(
                $"UPDATE nodes SET {NodeRows.Assignments} WHERE id = @id RETURNING {NodeRows.Columns};", transaction)
                .Bind(node).With("@id", node.Id);
            var row = command.ReadSingle(NodeRows.Map);
            return row is null ? WriteResult.NotFound<NodeRecord>() : WriteResult.Ok(row);
        }
        catch (DbException e) when (e.IsUniqueViolation())
        {
            return WriteResult.Conflict<NodeRecord>();
        }
    }

    private NodeRecord? Single(string sql, object value)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(sql).With("@v", value);
        return command.ReadSingle(NodeRows.Map);
    }
}
