using Appliance.Control.Connections;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Health;
using Appliance.Hosting.Metrics;
using Appliance.Hosting.Startup;
using Appliance.Hosting.Systemd;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Serilog;

namespace Appliance.Hosting;

/// <summary>
/// The composition root. `appliance serve` and the in-process tests build the same WebApplication here:
/// Kestrel with the HTTP listener and the admin Unix socket, Serilog, systemd integration, health and readiness,
/// and then each area's services and endpoints. Areas plug in with one extension method call each in
/// <see cref="AddAreas"/> (services) and <see cref="MapAreas"/> (endpoints); docs/architecture.md lists them.
/// The caller opens <see cref="ApplianceState"/> first and keeps ownership of it.
/// </summary>
public static partial class ApplianceHost
{
    public static WebApplication Build(ApplianceOptions options, ApplianceState state, Serilog.ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(logger);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = "appliance",
            ContentRootPath = state.Paths.DataDir,
        });

        // Configuration is ours (YAML + APPLIANCE_*); ASP.NET's appsettings/ASPNETCORE_* sources must not change behaviour.
        builder.Configuration.Sources.Clear();

        AdminSocket.RemoveStale(state);
        var http = ListenAddress.Parse(options.Server.Listen);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(http, listen => listen.UseConnectionUpgrades());
            kestrel.ListenUnixSocket(state.Paths.AdminSocket);
            ListenAreas(kestrel, options);
        });

        builder.Services.AddSystemd();
        if (NotifySocketFallback.IsNeeded)
        {
            builder.Services.AddHostedService<NotifySocketFallback>();
        }

        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.Server.ShutdownTimeout);
        builder.Services.AddSerilog(logger, dispose: false);

        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(options.Server);
        builder.Services.AddSingleton(options.Log);
        builder.Services.AddSingleton(options.Prefixes);
        builder.Services.AddSingleton(options.Nodes);
        builder.Services.AddSingleton(options.Dns);
        builder.Services.AddSingleton(options.Derp);
        builder.Services.AddSingleton(options.Tls);
        builder.Services.AddSingleton(options.Policy);
        builder.Services.AddSingleton(options.Identity);
        builder.Services.AddSingleton(options.Updates);
        builder.Services.AddSingleton(options.Metrics);
        builder.Services.AddSingleton(options.Backup);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton(state.Paths);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ReadinessState>();
        builder.Services.AddSingleton<ReloadSignal>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ReloadSignal>());

        AddAreas(builder.Services, options, state);

        // Marks ready (and restricts the admin socket) in StartedAsync, after Kestrel has bound every listener.
        builder.Services.AddHostedService<ListenersReadyService>();

        var app = builder.Build();
        app.MapHealthEndpoints();
        MapAreas(app);
        return app;
    }

    /// <summary>
    /// The bound HTTP addresses (http://127.0.0.1:PORT) of the client-facing listeners, after StartAsync; tests read
    /// the port 0 result here. The metrics listener is not among them: <see cref="MetricsUrl"/>.
    /// </summary>
    public static IReadOnlyList<Uri> HttpAddresses(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var metrics = app.Services.GetService<MetricsEndpoint>()?.Bound;
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses
            .Where(a => !a.Contains("unix:", StringComparison.Ordinal))
            .Select(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) ? uri : null)
            .OfType<Uri>()
            .Where(u => u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps)
            .Where(u => metrics is null || !(u.Port == metrics.Port && System.Net.IPAddress.TryParse(u.Host.Trim('[', ']'), out var ip) && ip.Equals(metrics.Address)))
            .ToArray();
    }

    /// <summary>http://IP:PORT/metrics after StartAsync, or null when `metrics.enabled` is false.</summary>
    public static Uri? MetricsUrl(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Services.GetService<MetricsEndpoint>()?.Url;
    }
}
