using Appliance.Derp.Relay;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Derp;

/// <summary>Maps the DERP HTTP endpoints (docs/wire/derp.md "HTTP upgrade"). Does nothing when DERP is disabled (no DerpServer registered).</summary>
public static class DerpEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapDerp(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService<DerpServer>() is null)
        {
            return endpoints;
        }

        endpoints.MapGet("/derp", new RequestDelegate(DerpUpgradeEndpoint.HandleAsync));
        endpoints.MapMethods("/derp/probe", ["GET", "HEAD"], new RequestDelegate(DerpProbeEndpoints.Probe));
        endpoints.MapGet("/derp/latency-check", new RequestDelegate(DerpProbeEndpoints.Probe));
        endpoints.MapGet("/generate_204", new RequestDelegate(DerpProbeEndpoints.NoContent));
        return endpoints;
    }
}
