using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Appliance.Control.Noise;

/// <summary>Loads (or creates) the server key at startup, so a corrupt or wrongly-permissioned key file stops the host before it serves anything.</summary>
internal sealed class NoiseServerKeyLoader(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetRequiredService<NoiseServerKey>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
