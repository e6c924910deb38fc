using Npgsql;

namespace Appliance.Storage.Database;

/// <summary>
/// Where the PostgreSQL database is (config `database.*` with `database.type: postgres`): a libpq-style connection string, or host, port,
/// database and user, with the password read from a file so it stays out of the config and the process list.
/// </summary>
/// <param name="Connection">A full Npgsql connection string; the other fields add to or override it.</param>
/// <param name="Host">Host name, address, or a folder holding the server's unix socket.</param>
/// <param name="PasswordFile">A file whose first line is the password (trailing newline ignored).</param>
public sealed record PostgresSettings(
    string? Connection = null,
    string? Host = null,
    int? Port = null,
    string? Database = null,
    string? User = null,
    string? PasswordFile = null)
{
    /// <exception cref="DatabaseRefusedException">The connection string is malformed or the password file is unreadable.</exception>
    public string ToConnectionString()
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(Connection ?? "");
        }
        catch (ArgumentException e)
        {
            throw new DatabaseRefusedException(DatabaseRefusal.Unreachable, $"database.connection is not a valid connection string: {e.Message}", e);
        }

        ApplyParts(builder);

        if (PasswordFile is { Length: > 0 })
        {
            try
            {
                builder.Password = File.ReadAllText(PasswordFile).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new DatabaseRefusedException(DatabaseRefusal.Unreachable, $"cannot read database.password_file '{PasswordFile}': {e.Message}", e);
            }
        }

        // Tag the appliance's sessions so an operator can tell them apart in pg_stat_activity.
        builder.ApplicationName ??= "appliance";
        return builder.ToString();
    }

    /// <summary>"postgresql://user@host:port/database", for messages and logs (never the password).</summary>
    public string Display()
    {
        var builder = new NpgsqlConnectionStringBuilder(ToConnectionStringWithoutSecret());
        return $"postgresql://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
    }

    private string ToConnectionStringWithoutSecret()
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(Connection ?? "") { Password = null };
            ApplyParts(builder);
            return builder.ToString();
        }
        catch (ArgumentException)
        {
            return "";
        }
    }

    /// <summary>The separate keys override the connection string's parts (config docs: "the keys below override its parts").</summary>
    private void ApplyParts(NpgsqlConnectionStringBuilder builder)
    {
        if (Host is { Length: > 0 })
        {
            builder.Host = Host;
        }

        if (Port is { } port)
        {
            builder.Port = port;
        }

        if (Database is { Length: > 0 })
        {
            builder.Database = Database;
        }

        if (User is { Length: > 0 })
        {
            builder.Username = User;
        }
    }
}
