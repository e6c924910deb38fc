using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Admin;

/// <summary>
/// Registers the opened data folder and database. No store is registered: tailnet data is reached through State
/// (the coordinator's commands, IdentityService, NodeService, PolicyVersions), never a table directly (issue 12).
/// `serve` opens both before building the host (so a locked folder or a refused database fails fast with its own
/// message); the caller keeps ownership and disposes them after the host stops (the container does not).
/// </summary>
public static class StorageRegistration
{
    public static IServiceCollection AddApplianceStorage(this IServiceCollection services, DataDirectory directory, ApplianceDatabase database)
    {
        services.AddSingleton(directory);
        services.AddSingleton(database);
        return services;
    }
}
