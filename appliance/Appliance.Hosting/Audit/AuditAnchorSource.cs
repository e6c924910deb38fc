using Appliance.Hosting.Configuration;
using Appliance.Hosting.Startup;
using Appliance.Storage.Audit;
using Appliance.Storage.Database;
using Appliance.Storage.Files;

namespace Appliance.Hosting.Audit;

/// <summary>
/// The rotation anchors from the configured database (`database.type`): the SQLite file in the data folder opened
/// read-only, or the PostgreSQL database from the same `database.*` keys `serve` uses (DatabaseOpening), read in a
/// read-only transaction. Nothing is migrated or written, so `audit verify` runs beside running services.
/// </summary>
public static class AuditAnchorSource
{
    /// <summary>True when the configured database exists to be read: the SQLite file, or any PostgreSQL configuration.</summary>
    public static bool HasDatabase(string dataDirectory, DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Type == DatabaseType.Postgres || File.Exists(Path.Combine(dataDirectory, DataDirectory.DatabaseFileName));
    }

    /// <summary>The anchors, or null with <paramref name="error"/> saying why when PostgreSQL is configured but cannot be read.</summary>
    public static IReadOnlyList<AuditAnchor>? TryRead(string dataDirectory, DatabaseOptions options, out string? error)
    {
        ArgumentNullException.ThrowIfNull(options);
        error = null;
        if (options.Type != DatabaseType.Postgres)
        {
            return AuditAnchorStore.ReadOnly(Path.Combine(dataDirectory, DataDirectory.DatabaseFileName));
        }

        var settings = DatabaseOpening.ToPostgresSettings(options);
        try
        {
            return AuditAnchorStore.ReadOnly(settings);
        }
        catch (Exception e) when (e is DatabaseRefusedException or ArgumentException)
        {
            error = $"cannot read the rotation anchors from PostgreSQL ({Describe(settings)}): {e.Message}";
            return null;
        }
    }

    private static string Describe(PostgresSettings settings)
    {
        try
        {
            return settings.Display();
        }
        catch (Exception e) when (e is ArgumentException or DatabaseRefusedException)
        {
            return "database.* settings";
        }
    }
}
