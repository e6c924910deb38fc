using Appliance.Control.Handlers;
using Appliance.State.Coordinator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Appliance.Control.Setup;

/// <summary>
/// Maps <c>POST /machine/register</c> and <c>POST /machine/map</c>. Both refuse (403) any request without
/// <see cref="INoiseSessionFeature"/>, so mapping them on a plain listener exposes nothing.
/// </summary>
public static class ControlEndpointRouteBuilderExtensions
{
    public static IEndpointConventionBuilder MapControlEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("/machine");
        // RequestDelegate overloads: no reflection over handler parameters, so the trimmed single-file exe keeps working.
        group.MapPost("/register", context => RegisterHandler.HandleAsync(context, Coordinator(context)));
        group.MapPost("/map", context => MapHandler.HandleAsync(context, Coordinator(context), ControlRequest.Metrics(context)));
        return group;
    }

    private static ControlCoordinator Coordinator(HttpContext context) =>
        (ControlCoordinator)context.RequestServices.GetService(typeof(ControlCoordinator))!;
}
