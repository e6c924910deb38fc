using Appliance.Storage.Database;

namespace Appliance.State.Tests.Support;

/// <summary>
/// Makes the real database refuse one kind of row, the way a full or read-only database refuses a write: a trigger
/// that raises an error from SQLite itself, so the failure travels through the real stores and transactions
/// (issue 12: a command refused part-way must leave nothing behind). Dispose drops the trigger ("space is back").
/// </summary>
internal sealed class InjectedRefusal : IDisposable
{
    private readonly ApplianceDatabase _database;
    private readonly string _name;

    /// <param name="when">A SQL condition on NEW (e.g. <c>NEW.name = 'carol'</c>); every insert when null.</param>
    public InjectedRefusal(ApplianceDatabase database, string table, string? when = null)
    {
        _database = database;
        _name = "refuse_" + table;
        Execute($"CREATE TRIGGER {_name} BEFORE INSERT ON {table} {(when is null ? "" : "WHEN " + when)} " +
            "BEGIN SELECT RAISE(ABORT, 'injected: the database refused the write'); END;");
    }

    public void Dispose() => Execute($"DROP TRIGGER {_name};");

    private void Execute(string sql)
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
