using Appliance.Storage.Database;
using Appliance.Storage.Stores;

namespace Appliance.Storage.Sessions;

/// <summary>One admin-console session row: the cookie's hash, who, the form token, when started and last used.</summary>
public sealed record ConsoleSessionRecord(string TokenHash, string Login, string Csrf, DateTimeOffset CreatedAt, DateTimeOffset LastSeen);

/// <summary>
/// The <c>console_sessions</c> table (migration 0005): the admin console's sessions, shared by every appliance on
/// one database. Only the cookie's SHA-256 is stored. Works on SQLite and PostgreSQL (plain SQL, no dialect branch).
/// </summary>
public sealed class ConsoleSessionStore(ApplianceDatabase database)
{
    public void Add(ConsoleSessionRecord session)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var connection = database.OpenConnection();
        using var command = connection.Command(
            "INSERT INTO console_sessions (token_hash, login, csrf, created_at, last_seen) VALUES (@h, @l, @c, @t, @s);")
            .With("@h", session.TokenHash).With("@l", session.Login).With("@c", session.Csrf)
            .With("@t", SqlValues.ToDb(session.CreatedAt)).With("@s", SqlValues.ToDb(session.LastSeen));
        command.ExecuteNonQuery();
    }

    public ConsoleSessionRecord? Find(string tokenHash)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("SELECT token_hash, login, csrf, created_at, last_seen FROM console_sessions WHERE token_hash = @h;")
            .With("@h", tokenHash);
        return command.ReadSingle(r => new ConsoleSessionRecord(r.GetString(0), r.GetString(1), r.GetString(2), SqlValues.Time(r, 3), SqlValues.Time(r, 4)));
    }

    public void Touch(string tokenHash, DateTimeOffset at)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("UPDATE console_sessions SET last_seen = @s WHERE token_hash = @h AND last_seen < @s;")
            .With("@h", tokenHash).With("@s", SqlValues.ToDb(at));
        command.ExecuteNonQuery();
    }

    public void Delete(string tokenHash) => Execute("DELETE FROM console_sessions WHERE token_hash = @v;", tokenHash);

    /// <summary>Ends every session of one person (disabled or removed from the identity file).</summary>
    public void DeleteLogin(string login) => Execute("DELETE FROM console_sessions WHERE login = @v;", login);

    /// <summary>Removes sessions idle since before <paramref name="lastSeenBefore"/> or started before <paramref name="createdBefore"/>.</summary>
    public int DeleteExpired(DateTimeOffset lastSeenBefore, DateTimeOffset createdBefore)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("DELETE FROM console_sessions WHERE last_seen < @s OR created_at < @t;")
            .With("@s", SqlValues.ToDb(lastSeenBefore)).With("@t", SqlValues.ToDb(createdBefore));
        return command.ExecuteNonQuery();
    }

    public long Count()
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command("SELECT count(*) FROM console_sessions;");
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private void Execute(string sql, string value)
    {
        using var connection = database.OpenConnection();
        using var command = connection.Command(sql).With("@v", value);
        command.ExecuteNonQuery();
    }
}
