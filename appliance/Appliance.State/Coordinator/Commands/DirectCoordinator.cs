using Appliance.State.Identity;
using Appliance.Storage.Database;
using Microsoft.Extensions.Logging;

namespace Appliance.State.Coordinator;

/// <summary>
/// The coordinator for a process that holds the data folder but serves no clients (the CLI's direct mode, the admin
/// API without the control area): loaded from the database, no heartbeat, no registrations. Operator commands run
/// through it exactly as they do in the service.
/// </summary>
public static class DirectCoordinator
{
    public static ControlCoordinator Open(ApplianceDatabase database, TimeProvider time, CoordinatorOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        var coordinator = new ControlCoordinator(
            options ?? new CoordinatorOptions { CoalesceWindow = TimeSpan.Zero },
            new SqliteNodeRepository(database),
            new SqliteUserDirectory(database),
            new NoRegistrations(),
            StaticDerpMapProvider.Empty,
            new AllowAllPacketFilter(),
            time,
            logger);
        coordinator.Load();
        return coordinator;
    }

    /// <summary>No node registers through a coordinator that serves no clients.</summary>
    private sealed class NoRegistrations : IPreAuthKeyAuthority
    {
        public PreAuthKeyUse Check(string presentedKey, DateTimeOffset now) => new(PreAuthKeyCheck.NotFound, null);

        public ClaimedWrite<T> WriteClaiming<T>(PreAuthKey key, DateTimeOffset now, Func<WriteResult<T>> write)
            where T : class => ClaimedWrite.Refused<T>(PreAuthKeyCheck.NotFound);
    }
}
