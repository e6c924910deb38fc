using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.TestKit.Time;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Storage.Tests.Support;

/// <summary>A migrated database in its own locked temporary data folder.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly TempFolder _folder = new();

    public TestDatabase()
    {
        Directory = DataDirectory.Open(_folder.Combine("data"));
        Database = ApplianceDatabase.Open(Directory, Time);
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
