using Appliance.Storage.Database;
using System.Data.Common;

namespace Appliance.Storage.Stores;

/// <summary>The `users` table. Names are unique; rules about valid names live in State's IdentityService.</summary>
internal sealed class UserStore(ApplianceDatabase database)
{
    private const string Columns = "id, name, display_name, email, created_at, role, groups, disabled";

    public WriteResult<UserRecord> Insert(string name, string? displayName, string? email, DateTimeOffset createdAt)
    {
        using var connection = database.OpenConnection();
        try
        {
            using var command = connection.Command(
                $"INSERT INTO users (name, display_name, email, created_at) VALUES (@name, @display, @email, @created) RETURNING {Columns};")
                .With("@name", name).With("@display", displayName).With("@email", email).With("@created", SqlValues.ToDb(createdAt));
            return WriteResult.Ok(command.ReadSingle(Map)!);
        }
        catch (DbException e) when (e.IsUniqueViolation())
        {
            return WriteResult.Conflict<UserRecord>();
        }
    }

    public UserRecord? Get(long id)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM users WHERE id = @id;").With("@id", id);
        return command.ReadSingle(Map);
    }

    public UserRecord? GetByName(string name)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM users WHERE name = @name;").With("@name", name);
        return command.ReadSingle(Map);
    }

    public IReadOnlyList<UserRecord> List()
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM users ORDER BY id;");
        return command.ReadAll(Map);
    }

    public WriteResult<UserRecord> Rename(long id, string newName)
    {
        using var connection = database.OpenConnection();
        try
        {
            using var command = connection.Command($"UPDATE users SET name = @name WHERE id = @id RETURNING {Columns};")
                .With("@id", id).With("@name", newName);
            var row = command.ReadSingle(Map);
            return row is null ? WriteResult.NotFound<UserRecord>() : WriteResult.Ok(row);
        }
        catch (DbException e) when (e.IsUniqueViolation())
        {
            return WriteResult.Conflict<UserRecord>();
        }
    }

    /// <summary>Sets display name and e-mail (null clears them); NotFound when there is no such user.</summary>
    public WriteResult<UserRecord> UpdateProfile(long id, string? displayName, string? email)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"UPDATE users SET display_name = @display, email = @email WHERE id = @id RETURNING {Columns};")
            .With("@id", id).With("@display", displayName).With("@email", email);
        var row = command.ReadSingle(Map);
        return row is null ? WriteResult.NotFound<UserRecord>() : WriteResult.Ok(row);
    }

    /// <summary>Sets what the identity file says about a person: role, groups, disabled. NotFound when there is no such user.</summary>
    public WriteResult<UserRecord> UpdateIdentity(long id, string role, IReadOnlyList<string> groups, bool disabled)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            $"UPDATE users SET role = @role, groups = @groups, disabled = @disabled WHERE id = @id RETURNING {Columns};")
            .With("@id", id).With("@role", role).With("@groups", SqlValues.ToJson(groups))
            .With("@disabled", disabled);
        var row = command.ReadSingle(Map);
        return row is null ? WriteResult.NotFound<UserRecord>() : WriteResult.Ok(row);
    }

    /// <summary>
    /// Deletes the user, their pre-auth keys (cascade) and, when <paramref name="withNodes"/>, their nodes, in one
    /// transaction. Without it a user who still owns nodes is kept (foreign key) and the result is Conflict.
    /// </summary>
    /// <returns>The outcome and the ids of the nodes removed with the user.</returns>
    public (WriteStatus Status, IReadOnlyList<long> RemovedNodes) Delete(long id, bool withNodes)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginWrite();
        List<long> nodes;
        using (var owned = connection.Command("SELECT id FROM nodes WHERE user_id = @id ORDER BY id;", transaction).With("@id", id))
        {
            nodes = owned.ReadAll(r => r.GetInt64(0));
        }

        if (nodes.Count > 0 && !withNodes)
        {
            return (WriteStatus.Conflict, []);
        }

        using (var deleteNodes = connection.Command("DELETE FROM nodes WHERE user_id = @id;", transaction).With("@id", id))
        {
            deleteNodes.ExecuteNonQuery();
        }

        using var delete = connection.Command("DELETE FROM users WHERE id = @id;", transaction).With("@id", id);
        if (delete.ExecuteNonQuery() == 0)
        {
            return (WriteStatus.NotFound, []);
        }

        transaction.Commit();
        return (WriteStatus.Ok, nodes);
    }

    private static UserRecord Map(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), SqlValues.OptionalString(r, 2), SqlValues.OptionalString(r, 3), SqlValues.Time(r, 4))
    {
        Role = r.GetString(5),
        Groups = SqlValues.StringList(r, 6),
        Disabled = SqlValues.Flag(r, 7),
    };
}
