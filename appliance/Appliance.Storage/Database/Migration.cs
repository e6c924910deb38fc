namespace Appliance.Storage.Database;

/// <summary>
/// One numbered schema step. Shipped migrations are append-only: never edit one, add the next number.
/// <paramref name="Sql"/> is SQLite's text and every engine's unless <paramref name="PostgresSql"/> gives
/// PostgreSQL its own (`NNNN_name.postgres.sql`), which a step needs only where the dialects differ (column types).
/// </summary>
public sealed record Migration(int Version, string Name, string Sql, string? PostgresSql = null)
{
    public string SqlFor(SqlDialect dialect) => dialect == SqlDialect.Postgres && PostgresSql is not null ? PostgresSql : Sql;
}
