namespace Appliance.Storage.Database;

/// <summary>Why the appliance refuses to open its database. In every case nothing has been written.</summary>
public enum DatabaseRefusal
{
    /// <summary>The schema was written by a newer appliance; running this binary could lose data.</summary>
    NewerSchema,

    /// <summary>The file is not a SQLite database at all.</summary>
    NotADatabase,

    /// <summary>A SQLite file that fails its integrity check.</summary>
    Corrupt,

    /// <summary>A valid SQLite database that was not created by the appliance (no schema_version table).</summary>
    ForeignDatabase,

    /// <summary>PostgreSQL: the server cannot be reached, refuses the login, or the settings are malformed.</summary>
    Unreachable,
}

/// <summary>The database cannot be used safely; the message says what was found and what to do.</summary>
public sealed class DatabaseRefusedException : Exception
{
    public DatabaseRefusedException()
    {
    }

    public DatabaseRefusedException(string message)
        : base(message)
    {
    }

    public DatabaseRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DatabaseRefusedException(DatabaseRefusal reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    public DatabaseRefusal Reason { get; }
}
