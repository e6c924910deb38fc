using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.TestKit.Postgres;
using Appliance.TestKit.Time;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Storage.Tests.Support;

/// <summary>
/// A migrated database for one test: SQLite in its own locked temporary data folder, or (given a cluster) a fresh
/// database in a throwaway PostgreSQL cluster. Store tests run against both (<see cref="StoreTestBase"/>).
/// </summary>
public sealed class TestDatabase : IDisposable
{
    private readonly TempFolder _folder = new();

    public TestDatabase()
    {
        Directory = DataDirectory.Open(_folder.Combine("data"));
        Database = ApplianceDatabase.Open(Directory, Time);
    }

    public TestDatabase(PostgresCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        Directory = DataDirectory.Open(_folder.Combine("data"));
        Database = ApplianceDatabase.OpenPostgres(new PostgresSettings(cluster.CreateDatabase("store")), Time);
    }

    public FakeTimeProvider Time { get; } = TestTime.Create();

    public DataDirectory Directory { get; }

    public ApplianceDatabase Database { get; }

    public void Dispose()
    {
        Database.Dispose();
        Directory.Dispose();
        _folder.Dispose();
    }
}
