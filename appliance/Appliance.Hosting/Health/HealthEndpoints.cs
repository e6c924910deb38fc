using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Health;

/// <summary>
/// `/health` is liveness: 200 "ok" whenever the process can answer HTTP at all. `/ready` is readiness: 200 "ready"
/// only once state is loaded and every listener is bound, 503 "starting" before and 503 "stopping" during a stop.
/// Both are plain text and unauthenticated; they reveal nothing but the phase.
/// </summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/health", (RequestDelegate)Health);
        endpoints.MapGet("/ready", (RequestDelegate)Ready);
        return endpoints;
    }

    private static Task Health(HttpContext context)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("ok");
    }

    private static Task Ready(HttpContext context)
    {
        var phase = context.RequestServices.GetRequiredService<ReadinessState>().Phase;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.StatusCode = phase == ReadinessPhase.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return context.Response.WriteAsync(phase switch
        {
            ReadinessPhase.Ready => "ready",
            ReadinessPhase.Stopping => "stopping",
            _ => "starting",
        });
    }
}
