using Appliance.Hosting.Configuration;
using Appliance.Storage.Database;
using Appliance.Storage.Files;

namespace Appliance.Hosting.Startup;

/// <summary>
/// Opens the database the config names (`database.type`): the embedded SQLite file in the locked data folder, or
/// the PostgreSQL database of `database.connection` / host / port / name / user / password_file. Both come back
/// migrated; every refusal is a <see cref="DatabaseRefusedException"/> with what to do.
/// </summary>
public static class DatabaseOpening
{
    /// <exception cref="DatabaseRefusedException">The database cannot be used; nothing was written.</exception>
    public static ApplianceDatabase Open(DataDirectory directory, DatabaseOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(options);
        return options.Type == DatabaseType.Postgres
            ? ApplianceDatabase.OpenPostgres(ToPostgresSettings(options), time)
            : ApplianceDatabase.Open(directory, time);
    }

    public static PostgresSettings ToPostgresSettings(DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new PostgresSettings(
            Connection: Empty(options.Connection),
            Host: Empty(options.Host),
            Port: options.Port == 0 ? null : options.Port,
            Database: Empty(options.Name),
            User: Empty(options.User),
            PasswordFile: Empty(options.PasswordFile));
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;
}
