using Appliance.Hosting.Audit;
using Appliance.Hosting.Policy;
using Appliance.State;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Database;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Admin;

/// <summary>
/// Wiring for the admin API. Hosting calls <see cref="AddAdminApi"/> after registering the opened
/// <see cref="ApplianceDatabase"/>, and <see cref="MapAdminApi"/> on the app that also listens on `admin.sock`.
/// Every write goes through the <see cref="ControlCoordinator"/> the control area registers (before or after this
/// call); without it (the admin API alone) a <see cref="DirectCoordinator"/> over the database takes its place, so
/// operator commands take the same path either way. Presence is the coordinator's, or unknown without it.
///
/// Routes (JSON, camelCase; errors are <see cref="ErrorDto"/> with 400 invalid, 403 not the socket, 404, 409):
///   GET    /api/v1/users                         POST /api/v1/users {name, displayName?, email?}
///   POST   /api/v1/users/{name}/rename {newName} DELETE /api/v1/users/{name}?force=true
///   GET    /api/v1/preauthkeys?user=NAME         POST /api/v1/preauthkeys {user?, reusable, ephemeral, expiration, tags}
///   POST   /api/v1/preauthkeys/{prefix}/expire
///   GET    /api/v1/nodes?user=NAME               DELETE /api/v1/nodes/{id}
///   POST   /api/v1/nodes/{id}/expire             POST /api/v1/nodes/{id}/rename {newName}
///   POST   /api/v1/nodes/{id}/tags {tags}
///   GET    /api/v1/registrations                 POST /api/v1/registrations/{id}/approve {user}
/// (registrations: interactive logins waiting for an operator; only the coordinator has them, see IRegistrationApprovals)
///   POST   /api/v1/nodes/{id}/tags {tags}      POST /api/v1/nodes/{id}/routes {routes}
///   GET    /api/v1/policy                        PUT  /api/v1/policy {text, name?}
///   POST   /api/v1/policy/check {text}
/// </summary>
public static class AdminApiExtensions
{
    public const string RoutePrefix = "/api/v1";

    public static IServiceCollection AddAdminApi(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);

        // The coordinator is looked up when first needed, not registered here: the control area registers it
        // whether its Add... call comes before or after this one; without it a direct coordinator is opened once.
        services.TryAddSingleton(sp => new DirectCoordinatorHolder(sp));
        services.TryAddSingleton(sp => new IdentityService(
            sp.GetRequiredService<ApplianceDatabase>(), sp.GetRequiredService<TimeProvider>(), Coordinator(sp),
            sp.GetService<ILoggerFactory>()?.CreateLogger(StateEvents.Category)));
        services.TryAddSingleton(sp => new NodeService(
            Coordinator(sp), new SqliteUserDirectory(sp.GetRequiredService<ApplianceDatabase>()), Presence(sp)));
        services.TryAddSingleton<IAdminApi>(sp =>
        {
            IAdminApi operations = new AdminOperations(
                sp.GetRequiredService<IdentityService>(),
                sp.GetRequiredService<NodeService>(),
                Presence(sp),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<IRegistrationApprovals>(),
                sp.GetService<IPolicyAdministration>());
            // Every changing verb is recorded with who asked (the socket peer, set by SocketOnly) when the host keeps an audit log.
            return sp.GetService<AuditTrail>() is { } audit ? new AuditedAdminApi(operations, audit, "local:unknown") : operations;
        });
        return services;
    }

    /// <summary>Maps every admin route; each refuses (403) a request that did not arrive on a Unix socket.</summary>
    public static IEndpointConventionBuilder MapAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(RoutePrefix);
        Map(api, "GET", "/users", AdminEndpoints.ListUsers);
        Map(api, "POST", "/users", AdminEndpoints.CreateUser);
        Map(api, "POST", "/users/{name}/rename", AdminEndpoints.RenameUser);
        Map(api, "DELETE", "/users/{name}", AdminEndpoints.DeleteUser);
        Map(api, "GET", "/preauthkeys", AdminEndpoints.ListPreAuthKeys);
        Map(api, "POST", "/preauthkeys", AdminEndpoints.CreatePreAuthKey);
        Map(api, "POST", "/preauthkeys/{prefix}/expire", AdminEndpoints.ExpirePreAuthKey);
        Map(api, "DELETE", "/preauthkeys/{prefix}", AdminEndpoints.DeletePreAuthKey);
        Map(api, "GET", "/nodes", AdminEndpoints.ListNodes);
        Map(api, "POST", "/nodes/{id:long}/expire", AdminEndpoints.ExpireNode);
        Map(api, "PUT", "/nodes/{id:long}/expiry", AdminEndpoints.SetNodeExpiry);
        Map(api, "POST", "/nodes/{id:long}/rename", AdminEndpoints.RenameNode);
        Map(api, "POST", "/nodes/{id:long}/tags", AdminEndpoints.SetNodeTags);
        Map(api, "DELETE", "/nodes/{id:long}", AdminEndpoints.DeleteNode);
        Map(api, "GET", "/registrations", AdminEndpoints.ListPendingRegistrations);
        Map(api, "POST", "/registrations/{id}/approve", AdminEndpoints.ApproveRegistration);
        Map(api, "POST", "/registrations/{id}/reject", AdminEndpoints.RejectRegistration);
        Map(api, "POST", "/nodes/{id:long}/routes", AdminEndpoints.ApproveNodeRoutes);
        Map(api, "GET", "/policy", AdminEndpoints.GetPolicy);
        Map(api, "PUT", "/policy", AdminEndpoints.SetPolicy);
        Map(api, "POST", "/policy/check", AdminEndpoints.CheckPolicy);
        Map(api, "GET", "/cluster", Cluster.ClusterEndpoints.Status);
        return api;
    }

    private static ControlCoordinator Coordinator(IServiceProvider services) =>
        services.GetService<ControlCoordinator>() ?? services.GetRequiredService<DirectCoordinatorHolder>().Coordinator;

    private static INodePresence Presence(IServiceProvider services) =>
        services.GetService<INodePresence>() ?? UnknownNodePresence.Instance;

    private static void Map(RouteGroupBuilder group, string method, string pattern, Microsoft.AspNetCore.Http.RequestDelegate handler) =>
        group.MapMethods(pattern, [method], AdminSocketGuard.SocketOnly(handler));
}

/// <summary>The admin API's own coordinator when the control area is absent: opened on first use, disposed with the container.</summary>
internal sealed class DirectCoordinatorHolder(IServiceProvider services) : IDisposable
{
    private readonly Lazy<ControlCoordinator> _coordinator = new(() => DirectCoordinator.Open(
        services.GetRequiredService<ApplianceDatabase>(),
        services.GetRequiredService<TimeProvider>(),
        logger: services.GetService<ILoggerFactory>()?.CreateLogger(StateEvents.Category)));

    public ControlCoordinator Coordinator => _coordinator.Value;

    public void Dispose()
    {
        if (_coordinator.IsValueCreated)
        {
            _coordinator.Value.Dispose();
        }
    }
}
