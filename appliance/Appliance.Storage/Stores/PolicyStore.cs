using System.Security.Cryptography;
using System.Text;
using Appliance.Storage.Database;
using System.Data.Common;

namespace Appliance.Storage.Stores;

/// <summary>The `policy_versions` table: an append-only history; the current policy is the newest row.</summary>
internal sealed class PolicyStore(ApplianceDatabase database)
{
    private const string Columns = "id, created_at, text, source, sha256";

    public PolicyVersionRecord Append(string text, string source, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            $"INSERT INTO policy_versions (created_at, text, source, sha256) VALUES (@c, @t, @s, @h) RETURNING {Columns};")
            .With("@c", SqlValues.ToDb(createdAt)).With("@t", text).With("@s", source).With("@h", sha);
        return command.ReadSingle(Map)!;
    }

    /// <summary>The current policy, or null when none was ever set.</summary>
    public PolicyVersionRecord? Latest()
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM policy_versions ORDER BY id DESC LIMIT 1;");
        return command.ReadSingle(Map);
    }

    public PolicyVersionRecord? Get(long id)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM policy_versions WHERE id = @id;").With("@id", id);
        return command.ReadSingle(Map);
    }

    /// <summary>Every version, oldest first.</summary>
    public IReadOnlyList<PolicyVersionRecord> List()
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command($"SELECT {Columns} FROM policy_versions ORDER BY id;");
        return command.ReadAll(Map);
    }

    private static PolicyVersionRecord Map(DbDataReader r) =>
        new(r.GetInt64(0), SqlValues.Time(r, 1), r.GetString(2), r.GetString(3), r.GetString(4));
}
