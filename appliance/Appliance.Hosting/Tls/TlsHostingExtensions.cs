using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Appliance.Hosting.Tls;

/// <summary>
/// The two calls the composition root makes:
/// <code>
/// services.AddLocalCa(tlsOptions);                                  // store + renewal loop + health check type
/// kestrel.Listen(endpoint, listen => listen.UseApplianceTls());     // HTTPS with live certificate selection
/// </code>
/// </summary>
public static class TlsHostingExtensions
{
    /// <summary>
    /// Registers <see cref="TlsCertificateStore"/> (created on first use; throws on bad CA files), the
    /// <see cref="TlsRenewalService"/> and <see cref="TlsHealthCheck"/>. Uses a registered TimeProvider, else the system one.
    /// </summary>
    public static IServiceCollection AddLocalCa(this IServiceCollection services, ApplianceTlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton<TlsCertificateStore>();
        services.AddSingleton<TlsHealthCheck>();
        services.AddHostedService<TlsRenewalService>();
        return services;
    }

    /// <summary>HTTPS on this endpoint with the store registered by <see cref="AddLocalCa"/>.</summary>
    public static ListenOptions UseApplianceTls(this ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        return listenOptions.UseApplianceTls(listenOptions.ApplicationServices.GetRequiredService<TlsCertificateStore>());
    }

    /// <summary>
    /// HTTPS whose certificate is chosen per handshake from <see cref="TlsCertificateStore.Current"/>. Kestrel's
    /// ServerCertificateSelector returns a bare certificate and lets SslStream build the chain from system stores,
    /// which would drop our intermediate; the handshake callback returns a prepared SslStreamCertificateContext with
    /// the full chain instead, and a renewal is just a different context on the next handshake.
    /// </summary>
    public static ListenOptions UseApplianceTls(this ListenOptions listenOptions, TlsCertificateStore store)
    {
        ArgumentNullException.ThrowIfNull(listenOptions);
        ArgumentNullException.ThrowIfNull(store);
        return listenOptions.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = context => ValueTask.FromResult(store.ServerOptionsFor(context.ClientHelloInfo.ServerName)),
        });
    }
}
