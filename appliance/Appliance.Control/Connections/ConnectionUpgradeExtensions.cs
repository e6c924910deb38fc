using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Appliance.Control.Connections;

/// <summary>Puts the connection-level upgrade dispatcher on a listener.</summary>
public static class ConnectionUpgradeExtensions
{
    /// <summary>
    /// Call after <c>UseHttps</c> where there is TLS (the dispatcher must see decrypted bytes). The targets are whatever
    /// <see cref="IConnectionUpgradeTarget"/>s DI holds (<c>AddNoiseTransport</c> registers ts2021, Hosting's
    /// <c>AddDerp</c> DERP when it is enabled); with none, every connection passes straight through.
    /// </summary>
    public static ListenOptions UseConnectionUpgrades(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var services = listen.ApplicationServices;
        var limits = listen.KestrelServerOptions.Limits;
        _ = listen.Use(next => new ConnectionUpgradeMiddleware(next, services, limits).OnConnectionAsync);
        return listen;
    }
}
