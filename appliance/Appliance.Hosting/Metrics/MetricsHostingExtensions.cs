using System.Diagnostics.Metrics;
using Appliance.Hosting.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;

namespace Appliance.Hosting.Metrics;

/// <summary>
/// The metrics area: every area's System.Diagnostics.Metrics instruments exported in the Prometheus text format by
/// OpenTelemetry's exporter (docs/decisions/0082), on `metrics.listen` only. That listener answers `/metrics` and
/// 404 for anything else; the other listeners never answer `/metrics`. docs/ops/metrics.md lists the series.
/// </summary>
public static class MetricsHostingExtensions
{
    /// <summary>The appliance's meters: one per area, named after the library that owns the events.</summary>
    public const string ApplianceMeters = "Appliance.*";

    public const string Path = "/metrics";

    public static IServiceCollection AddApplianceMetrics(this IServiceCollection services, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddMetrics();
        var scope = new MeterScope();
        services.AddSingleton(scope);
        services.AddSingleton<MetricsEndpoint>();
        services.AddSingleton<ApplianceInstruments>();
        services.AddInstrumentSource<ApplianceInstruments>();
        services.AddHostedService<InstrumentsStartup>();
        if (!options.Enabled)
        {
            return services;
        }

        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(ApplianceMeters)
            .AddMeter([.. MeterScope.ProcessWideMeters])
            .AddView(instrument => MetricStreams.For(scope, instrument))
            .AddPrometheusExporter(exporter =>
            {
                // Every scrape sees current values (the default caches a response for 300 ms).
                exporter.ScrapeResponseCacheDurationMilliseconds = 0;
                exporter.ScrapeEndpointPath = Path;
            }));
        return services;
    }

    /// <summary>The metrics listener; each of its connections is marked with <see cref="MetricsListenerFeature"/>.</summary>
    public static void ListenMetrics(this KestrelServerOptions kestrel, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return;
        }

        var endpoint = kestrel.ApplicationServices.GetRequiredService<MetricsEndpoint>();
        kestrel.Listen(ListenAddress.Parse(options.Listen), listen =>
        {
            endpoint.Set(listen);
            listen.Use(next => connection =>
            {
                connection.Features.Set(MetricsListenerFeature.Instance);
                return next(connection);
            });
        });
    }

    /// <summary>Answers requests on the metrics listener (first in the pipeline, so no other area sees them).</summary>
    public static void UseMetricsListener(this WebApplication app, MetricsOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        app.Services.GetRequiredService<MeterScope>().Bind(app.Services.GetRequiredService<IMeterFactory>());
        if (!options.Enabled)
        {
            return;
        }

        app.UseWhen(IsMetricsListener, branch =>
        {
            branch.UseOpenTelemetryPrometheusScrapingEndpoint(context => context.Request.Path == Path);
            branch.Run(static context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        });
    }

    private static bool IsMetricsListener(HttpContext context) => context.Features.Get<MetricsListenerFeature>() is not null;

    /// <summary>Creates every area's instruments at start, so each series exists (at zero) from the first scrape.</summary>
    private sealed class InstrumentsStartup(IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _ = services.GetServices<InstrumentSource>().ToList();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
