using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;

namespace Appliance.Storage.Database;

/// <summary>
/// What <see cref="ApplianceDatabase.OpenConnection"/> hands a store while <see cref="ApplianceDatabase.InTransaction{T}"/>
/// runs on this flow: the transaction's own connection, so every store's write joins the one transaction (issue 12:
/// a pre-auth key's use and the node it registers, the identity file's people, are all or nothing). Disposing it
/// (every store does) leaves the connection open for the transaction's owner; a store's own transaction inside it
/// (<c>BeginWrite</c>) becomes a savepoint of the outer one.
/// </summary>
internal sealed class JoinedConnection(DbConnection inner, DbTransaction transaction) : DbConnection
{
    /// <summary>The outer transaction every command created here runs in.</summary>
    public DbTransaction Transaction { get; } = transaction;

    /// <summary>False once the owning transaction has ended: a flow that kept this value (a task started inside) opens its own connection.</summary>
    public bool IsOpen { get; set; } = true;

    [AllowNull]
    public override string ConnectionString
    {
        get => inner.ConnectionString;
        set => throw new NotSupportedException("a joined connection belongs to its transaction");
    }

    public override string Database => inner.Database;

    public override string DataSource => inner.DataSource;

    public override string ServerVersion => inner.ServerVersion;

    public override ConnectionState State => inner.State;

    public override void ChangeDatabase(string databaseName) => throw new NotSupportedException("a joined connection belongs to its transaction");

    /// <summary>The transaction's owner closes the connection; a store's dispose does not.</summary>
    public override void Close()
    {
    }

    public override void Open()
    {
    }

    protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => new JoinedSavepoint(this, Transaction);

    protected override DbCommand CreateDbCommand()
    {
        var command = inner.CreateCommand();
        command.Transaction = Transaction;
        return command;
    }

    protected override void Dispose(bool disposing)
    {
        // The inner connection stays open (Close above is a no-op): its transaction's owner disposes it.
        base.Dispose(disposing);
    }
}

/// <summary>A store's transaction inside a joined one: a SAVEPOINT, released on commit, rolled back to when not committed.</summary>
internal sealed class JoinedSavepoint : DbTransaction
{
    private static long _next;
    private readonly JoinedConnection _connection;
    private readonly string _name;
    private bool _done;

    public JoinedSavepoint(JoinedConnection connection, DbTransaction outer)
    {
        _connection = connection;
        Outer = outer;
        _name = "store_" + Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);
        outer.Save(_name);
    }

    /// <summary>The transaction commands really run in.</summary>
    public DbTransaction Outer { get; }

    public override IsolationLevel IsolationLevel => Outer.IsolationLevel;

    protected override DbConnection DbConnection => _connection;

    public override void Commit()
    {
        Outer.Release(_name);
        _done = true;
    }

    public override void Rollback()
    {
        Outer.Rollback(_name);
        _done = true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_done)
        {
            _done = true;
            Outer.Rollback(_name);
        }

        base.Dispose(disposing);
    }
}
