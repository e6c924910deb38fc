using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Admin;

/// <summary>
/// Registers the opened data folder and database, and a singleton of each store, for the services that need them.
/// `serve` opens both before building the host (so a locked folder or a refused database fails fast with its own
/// message); the caller keeps ownership and disposes them after the host stops (the container does not).
/// </summary>
public static class StorageRegistration
{
    public static IServiceCollection AddApplianceStorage(this IServiceCollection services, DataDirectory directory, ApplianceDatabase database)
    {
        services.AddSingleton(directory);
        services.AddSingleton(database);
        services.AddSingleton(_ => new UserStore(database));
        services.AddSingleton(_ => new PreAuthKeyStore(database));
        services.AddSingleton(_ => new NodeStore(database));
        services.AddSingleton(_ => new ApiKeyStore(database));
        services.AddSingleton(_ => new PolicyStore(database));
        return services;
    }
}
