namespace Appliance.Hosting.Configuration;

/// <summary>Which engine holds the tailnet (config `database.type`).</summary>
public enum DatabaseType
{
    /// <summary><c>sqlite</c> (default): <c>&lt;data_dir&gt;/appliance.db</c>, embedded, nothing to set up.</summary>
    Sqlite = 0,

    /// <summary><c>postgres</c>: a PostgreSQL database the site runs (docs/decisions/0085-postgresql-store.md).</summary>
    Postgres = 1,
}

/// <summary>
/// The `database:` section. With the default type nothing else is read. For PostgreSQL: a connection string
/// and/or host, port, name and user, with the password in a file (never in the config).
/// </summary>
public sealed class DatabaseOptions
{
    /// <summary>sqlite or postgres. Default sqlite.</summary>
    public DatabaseType Type { get; set; } = DatabaseType.Sqlite;

    /// <summary>PostgreSQL: an Npgsql connection string (Host=...;Database=...;Username=...). Default empty.</summary>
    public string Connection { get; set; } = "";

    /// <summary>PostgreSQL: server host, address, or the folder of its unix socket; overrides the connection string. Default empty.</summary>
    public string Host { get; set; } = "";

    /// <summary>PostgreSQL: server port; 0 keeps the connection string's (or 5432). 0..65535, default 0.</summary>
    public int Port { get; set; }

    /// <summary>PostgreSQL: the database's name; overrides the connection string. Default empty.</summary>
    public string Name { get; set; } = "";

    /// <summary>PostgreSQL: the user; overrides the connection string. Default empty.</summary>
    public string User { get; set; } = "";

    /// <summary>PostgreSQL: a file holding the password (first line). Default empty.</summary>
    public string PasswordFile { get; set; } = "";

    /// <summary>
    /// PostgreSQL with several appliances: the cluster key, a file of 64 hex characters (mode 0600) that seals the
    /// Noise key the instances share through the database (docs/ops/ha.md). Created on first start when missing;
    /// every instance of the database needs the same file. Empty: each instance keeps its own noise_private.key,
    /// copied by hand. Default empty.
    /// </summary>
    public string ClusterKeyFile { get; set; } = "";
}
