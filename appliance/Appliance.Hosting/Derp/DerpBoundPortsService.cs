using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Appliance.Hosting.Derp;

/// <summary>
/// After Kestrel and the STUN socket are bound (ApplicationStarted, which comes after every hosted service's start),
/// tells the DERP map which ports they got, so an ephemeral configuration (port 0) still advertises a reachable relay.
/// </summary>
internal sealed class DerpBoundPortsService(
    EmbeddedDerpMapProvider map, IServer server, IHostApplicationLifetime lifetime, IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            var https = server.Features.Get<IServerAddressesFeature>()?.Addresses
                .Select(a => Uri.TryCreate(a, UriKind.Absolute, out var uri) ? uri : null)
                .FirstOrDefault(u => u?.Scheme == Uri.UriSchemeHttps);
            var stun = services.GetService<StunHostedService>()?.LocalEndPoint;
            map.AdvertiseBoundPorts(https?.Port, stun?.Port);
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
