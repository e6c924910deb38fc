using Appliance.Control.Connections;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Appliance.Control.Noise;

/// <summary>
/// The composition root's four calls for the ts2021 transport:
/// <code>
/// builder.Services.AddNoiseTransport(o => o.DataDirectory = dataDir);   // key file, queue, Kestrel transport, ts2021 upgrade target
/// builder.WebHost.ConfigureKestrel(k => { k.Listen(..., l => l.UseConnectionUpgrades()); k.ListenNoise(); });
/// app.UseNoiseTransport();                                                  // WebSockets + INoiseSessionFeature per request
/// app.MapNoiseEndpoints();                                                  // GET /key, GET|POST /ts2021
/// </code>
/// Inner requests reach the app's normal routing, so /machine/* endpoints mapped on the same app serve Noise clients.
/// </summary>
public static class NoiseTransportExtensions
{
    public static IServiceCollection AddNoiseTransport(this IServiceCollection services, string dataDirectory) =>
        services.AddNoiseTransport(o => o.DataDirectory = dataDirectory);

    /// <summary>
    /// Registers the transport. Call it after the web host defaults are in place (WebApplication.CreateBuilder does
    /// that), so Kestrel's socket transport is registered first.
    /// </summary>
    public static IServiceCollection AddNoiseTransport(this IServiceCollection services, Action<NoiseOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.Configure(configure);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<NoiseOptions>>().Value;
            if (string.IsNullOrEmpty(options.DataDirectory))
            {
                throw new InvalidOperationException("NoiseOptions.DataDirectory is not set");
            }

            return new NoiseServerKey(NoiseServerKeyFile.LoadOrCreate(options.KeyFilePath));
        });
        services.TryAddSingleton<NoiseConnectionHandoff>();
        services.TryAddSingleton<NoiseUpgradeHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionUpgradeTarget, NoiseUpgradeTarget>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionListenerFactory, NoiseConnectionListenerFactory>());
        services.AddHostedService<NoiseServerKeyLoader>();
        return services;
    }

    /// <summary>
    /// Binds the in-process Noise endpoint: HTTP/2 only, so Kestrel speaks h2c with prior knowledge, as the client does.
    /// Also allows alternate :scheme values: real clients send <c>:scheme https</c> inside Noise (the session is
    /// encrypted, just not by TLS), which Kestrel would otherwise reset as a scheme mismatch. See docs/decisions/0020.
    /// </summary>
    public static KestrelServerOptions ListenNoise(this KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.AllowAlternateSchemes = true;
        options.Listen(new NoiseEndPoint(), listen => listen.Protocols = HttpProtocols.Http2);
        return options;
    }

    /// <summary>Enables the WebSocket variant and puts INoiseSessionFeature on every request inside a Noise session.</summary>
    public static IApplicationBuilder UseNoiseTransport(this IApplicationBuilder app)
    {
        app.UseWebSockets();
        return app.UseMiddleware<NoiseSessionMiddleware>();
    }

    /// <summary>Maps <c>GET /key</c> and <c>GET|POST /ts2021</c>.</summary>
    public static IEndpointRouteBuilder MapNoiseEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapGet("/key", NoiseKeyEndpoint.HandleAsync);
        endpoints.MapMethods("/ts2021", ["GET", "POST"], context => context.RequestServices.GetRequiredService<NoiseUpgradeHandler>().HandleAsync(context));
        return endpoints;
    }
}
