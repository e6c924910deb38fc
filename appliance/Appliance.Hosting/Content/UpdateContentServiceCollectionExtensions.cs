using Appliance.Hosting.Configuration;
using Appliance.Hosting.Derp;
using Appliance.Hosting.Systemd;
using Appliance.State.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Content;

public static class UpdateContentServiceCollectionExtensions
{
    /// <summary>Registers <see cref="UpdateContentService"/>; call after AddDerp (it reloads the DERP map provider).</summary>
    public static IServiceCollection AddUpdateContent(this IServiceCollection services, ApplianceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = UpdateContentFiles.ForDataDir(AppliancePaths.From(options).DataDir);
        services.AddSingleton(sp => new UpdateContentService(
            files,
            sp.GetRequiredService<EmbeddedDerpMapProvider>(),
            sp.GetService<IdentityService>(),
            sp.GetService<ReloadSignal>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            sp.GetRequiredService<ILogger<UpdateContentService>>(),
            sp.GetService<Identity.IdentityFileService>()));
        services.AddHostedService(sp => sp.GetRequiredService<UpdateContentService>());
        return services;
    }
}
