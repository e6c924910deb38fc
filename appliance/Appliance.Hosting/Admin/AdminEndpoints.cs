using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Admin;

/// <summary>
/// The handlers behind `/api/v1/...`. Plain RequestDelegates with source-generated JSON: no reflection-based
/// parameter binding, so they are trim-safe without the request delegate generator.
/// </summary>
internal static class AdminEndpoints
{
    public static Task ListUsers(HttpContext c) =>
        Run(c, async (api, ct) => await AdminResponses.WriteAsync(c, await api.ListUsersAsync(ct), AdminJsonContext.Default.IReadOnlyListUserDto));

    public static Task CreateUser(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.CreateUserRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.CreateUserAsync(body, ct), AdminJsonContext.Default.UserDto, StatusCodes.Status201Created);
        }
    });

    public static Task RenameUser(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.RenameRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.RenameUserAsync(Route(c, "name"), body.NewName, ct), AdminJsonContext.Default.UserDto);
        }
    });

    public static Task DeleteUser(HttpContext c) => Run(c, async (api, ct) =>
    {
        var force = string.Equals(c.Request.Query["force"], "true", StringComparison.OrdinalIgnoreCase);
        await AdminResponses.WriteAsync(c, await api.DeleteUserAsync(Route(c, "name"), force, ct), AdminJsonContext.Default.UserDeletionDto);
    });

    public static Task ListPreAuthKeys(HttpContext c) => Run(c, async (api, ct) =>
        await AdminResponses.WriteAsync(c, await api.ListPreAuthKeysAsync(Query(c, "user"), ct), AdminJsonContext.Default.IReadOnlyListPreAuthKeyDto));

    public static Task CreatePreAuthKey(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.CreatePreAuthKeyRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.CreatePreAuthKeyAsync(body, ct), AdminJsonContext.Default.PreAuthKeyDto, StatusCodes.Status201Created);
        }
    });

    public static Task ExpirePreAuthKey(HttpContext c) => Run(c, async (api, ct) =>
        await AdminResponses.WriteAsync(c, await api.ExpirePreAuthKeyAsync(Route(c, "prefix"), ct), AdminJsonContext.Default.PreAuthKeyDto));

    public static Task DeletePreAuthKey(HttpContext c) => Run(c, async (api, ct) =>
        await AdminResponses.WriteAsync(c, await api.DeletePreAuthKeyAsync(Route(c, "prefix"), ct), AdminJsonContext.Default.PreAuthKeyDto));

    public static Task SetNodeExpiry(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.SetExpiryRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.SetNodeExpiryAsync(Id(c), body, ct), AdminJsonContext.Default.NodeDto);
        }
    });

    public static Task ListNodes(HttpContext c) => Run(c, async (api, ct) =>
        await AdminResponses.WriteAsync(c, await api.ListNodesAsync(Query(c, "user"), ct), AdminJsonContext.Default.IReadOnlyListNodeDto));

    public static Task ExpireNode(HttpContext c) => Run(c, async (api, ct) =>
        await AdminResponses.WriteAsync(c, await api.ExpireNodeAsync(Id(c), ct), AdminJsonContext.Default.NodeDto));

    public static Task RenameNode(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.RenameRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.RenameNodeAsync(Id(c), body.NewName, ct), AdminJsonContext.Default.NodeDto);
        }
    });

    public static Task SetNodeTags(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.SetTagsRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.SetNodeTagsAsync(Id(c), body.Tags ?? [], ct), AdminJsonContext.Default.NodeDto);
        }
    });

    public static Task DeleteNode(HttpContext c) => Run(c, async (api, ct) =>
        await AdminResponses.WriteAsync(c, await api.DeleteNodeAsync(Id(c), ct), AdminJsonContext.Default.NodeDto));

    public static Task ListPendingRegistrations(HttpContext c) => Run(c, async (api, ct) =>
        await AdminResponses.WriteAsync(c, await api.ListPendingRegistrationsAsync(ct), AdminJsonContext.Default.IReadOnlyListPendingRegistrationDto));

    public static Task ApproveRegistration(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.ApproveRegistrationRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.ApproveRegistrationAsync(Route(c, "id"), body.User, ct), AdminJsonContext.Default.NodeDto);
        }
    });

    public static Task RejectRegistration(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.RejectRegistrationRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.RejectRegistrationAsync(Route(c, "id"), body.Reason, ct), AdminJsonContext.Default.RegistrationRejectionDto);
        }
    });

    public static Task ApproveNodeRoutes(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.ApproveRoutesRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.ApproveNodeRoutesAsync(Id(c), body.Routes ?? [], ct), AdminJsonContext.Default.NodeDto);
        }
    });

    public static Task GetPolicy(HttpContext c) => Run(c, async (api, ct) =>
        await AdminResponses.WriteAsync(c, await api.GetPolicyAsync(ct), AdminJsonContext.Default.PolicyDto));

    public static Task SetPolicy(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.SetPolicyRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.SetPolicyAsync(body, ct), AdminJsonContext.Default.PolicyDto);
        }
    });

    public static Task CheckPolicy(HttpContext c) => Run(c, async (api, ct) =>
    {
        if (await AdminResponses.ReadBodyAsync(c, AdminJsonContext.Default.CheckPolicyRequest) is { } body)
        {
            await AdminResponses.WriteAsync(c, await api.CheckPolicyAsync(body, ct), AdminJsonContext.Default.PolicyCheckDto);
        }
    });

    private static Task Run(HttpContext context, Func<IAdminApi, CancellationToken, Task> action) =>
        action(context.RequestServices.GetRequiredService<IAdminApi>(), context.RequestAborted);

    private static string Route(HttpContext context, string name) =>
        Convert.ToString(context.Request.RouteValues[name], CultureInfo.InvariantCulture) ?? string.Empty;

    // The route constraint {id:long} has already rejected anything else.
    private static long Id(HttpContext context) => long.Parse(Route(context, "id"), CultureInfo.InvariantCulture);

    private static string? Query(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value.ToString() : null;
}
