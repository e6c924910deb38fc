using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Appliance.Hosting.Derp.Upgrade;

/// <summary>Puts <see cref="DerpUpgradeConnectionMiddleware"/> on a listener that serves DERP.</summary>
public static class DerpListenOptionsExtensions
{
    /// <summary>
    /// Call after <c>UseHttps</c> (the middleware must see decrypted bytes). Harmless where DERP is disabled: without a
    /// registered DerpServer every connection passes straight through.
    /// </summary>
    public static ListenOptions UseDerpUpgrade(this ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        var services = listen.ApplicationServices;
        var limits = listen.KestrelServerOptions.Limits;
        _ = listen.Use(next => new DerpUpgradeConnectionMiddleware(next, services, limits).OnConnectionAsync);
        return listen;
    }
}
