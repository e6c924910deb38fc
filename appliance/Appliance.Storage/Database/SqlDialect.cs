namespace Appliance.Storage.Database;

/// <summary>
/// Which database engine holds the tailnet. The stores speak the SQL both accept (named `@` parameters, RETURNING,
/// CASE instead of two-argument min); the few places that must differ (migration 0001's column types, the
/// migration lock, row locks, the write probe) switch on this.
/// </summary>
public enum SqlDialect
{
    /// <summary>The embedded default: `&lt;data&gt;/appliance.db` in WAL mode.</summary>
    Sqlite,

    /// <summary>A PostgreSQL database reached with Npgsql (docs/decisions/0085-postgresql-store.md).</summary>
    Postgres,
}
