using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Health;

/// <summary>
/// `/health` is liveness: 200 "ok" whenever the process can answer HTTP at all. `/ready` is readiness: 200 "ready"
/// only once state is loaded and every listener is bound, 503 "starting" before and 503 "stopping" during a stop, and
/// 503 "not ready: REASON" while serving when the database cannot be written (<see cref="DatabaseWriteProbe"/>).
/// Both are plain text and unauthenticated; they reveal nothing but the phase and the running version, which both
/// carry in the <c>Appliance-Version</c> header so that the updater can tell the new release from an old one that is
/// still (or again) answering on the port.
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Response header with the running release (assembly informational version, e.g. "1.2.0+abc123").</summary>
    public const string VersionHeader = "Appliance-Version";

    /// <summary>Every assembly of a release is built with the same Version (Directory.Build.props), so this one's is the release's.</summary>
    public static string RunningVersion { get; } =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/health", (RequestDelegate)Health);
        endpoints.MapGet("/ready", (RequestDelegate)Ready);
        return endpoints;
    }

    private static Task Health(HttpContext context)
    {
        context.Response.Headers[VersionHeader] = RunningVersion;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync("ok");
    }

    private static Task Ready(HttpContext context)
    {
        var readiness = context.RequestServices.GetRequiredService<ReadinessState>();
        var phase = readiness.Phase;
        var problem = readiness.Problem;
        context.Response.Headers[VersionHeader] = RunningVersion;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.StatusCode = readiness.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return context.Response.WriteAsync(phase switch
        {
            ReadinessPhase.Ready when problem is not null => "not ready: " + problem,
            ReadinessPhase.Ready => "ready",
            ReadinessPhase.Stopping => "stopping",
            _ => "starting",
        });
    }
}
