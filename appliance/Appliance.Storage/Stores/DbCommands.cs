using System.Data.Common;
using Appliance.Storage.Database;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Appliance.Storage.Stores;

/// <summary>
/// Terse parameterised commands over either engine; every value goes through a parameter, never into the SQL text.
/// Parameters are written `@name`, which SQLite and Npgsql both accept.
/// </summary>
internal static class DbCommands
{
    // SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY (sqlite.org/rescode.html).
    private const int ConstraintUnique = 2067;
    private const int ConstraintPrimaryKey = 1555;

    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;

        // Inside ApplianceDatabase.InTransaction the connection already set its transaction; a store's own
        // (a savepoint there) runs in that same one.
        if (transaction is not null)
        {
            command.Transaction = transaction is JoinedSavepoint savepoint ? savepoint.Outer : transaction;
        }

        return command;
    }

    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        // PostgreSQL will not put a boolean into an integer column; flags are stored 0/1 on both engines.
        parameter.Value = value switch
        {
            null => DBNull.Value,
            bool flag => flag ? 1L : 0L,
            _ => value,
        };
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>
    /// A transaction for a read-then-write. SQLite: BEGIN IMMEDIATE (the write lock up front, so two writers wait
    /// instead of deadlocking). PostgreSQL: READ COMMITTED; the statements that need it lock their rows
    /// (<see cref="ForUpdate"/>) and unique constraints settle races.
    /// </summary>
    public static DbTransaction BeginWrite(this DbConnection connection) => connection switch
    {
        SqliteConnection sqlite => sqlite.BeginTransaction(deferred: false),
        _ => connection.BeginTransaction(),
    };

    /// <summary>" FOR UPDATE" on PostgreSQL (row lock inside <see cref="BeginWrite"/>); SQLite's IMMEDIATE transaction already excludes writers.</summary>
    public static string ForUpdate(this ApplianceDatabase database) =>
        database.Dialect == SqlDialect.Postgres ? " FOR UPDATE" : "";

    public static bool IsUniqueViolation(this DbException exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is ConstraintUnique or ConstraintPrimaryKey,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>Runs the command and maps each row; the reader is closed before returning.</summary>
    public static List<T> ReadAll<T>(this DbCommand command, Func<DbDataReader, T> map)
    {
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }

    public static T? ReadSingle<T>(this DbCommand command, Func<DbDataReader, T> map)
        where T : class
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? map(reader) : null;
    }
}
