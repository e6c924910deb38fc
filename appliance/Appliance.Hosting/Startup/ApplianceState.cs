using Appliance.Hosting.Configuration;
using Appliance.Storage.Database;
using Appliance.Storage.Files;

namespace Appliance.Hosting.Startup;

/// <summary>
/// The seam between hosting and storage: the locked data folder (<see cref="DataDirectory"/>) and the open,
/// migrated database (<see cref="ApplianceDatabase"/>). It is opened before the web host is built so that every
/// refusal (folder not writable, folder in use, database newer or corrupt) is a clear message and an exit code,
/// and nothing is bound or written. The caller owns it; disposing closes the database and releases the lock.
/// </summary>
public sealed class ApplianceState : IDisposable
{
    private ApplianceState(AppliancePaths paths, DataDirectory directory, ApplianceDatabase database)
    {
        Paths = paths;
        Directory = directory;
        Database = database;
    }

    public AppliancePaths Paths { get; }

    public DataDirectory Directory { get; }

    public ApplianceDatabase Database { get; }

    public static StateOpenResult TryOpen(AppliancePaths paths, TimeProvider? time = null) => TryOpen(paths, new DatabaseOptions(), time);

    /// <summary>Opens the data folder and the database <paramref name="database"/> names (SQLite by default).</summary>
    public static StateOpenResult TryOpen(AppliancePaths paths, DatabaseOptions database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(paths);
        DataDirectory directory;
        try
        {
            directory = DataDirectory.Open(paths.DataDir);
        }
        catch (DataDirectoryException e)
        {
            return StateOpenResult.Failed(
                e.Problem == DataDirectoryProblem.InUse ? StateOpenFailure.InUse : StateOpenFailure.NotWritable, e.Message);
        }

        try
        {
            var opened = DatabaseOpening.Open(directory, database, time ?? TimeProvider.System);
            return StateOpenResult.Opened(new ApplianceState(paths, directory, opened));
        }
        catch (DatabaseRefusedException e)
        {
            directory.Dispose();
            return StateOpenResult.Failed(StateOpenFailure.DatabaseRefused, e.Message);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Database.Dispose();
        Directory.Dispose();
    }
}
