using Appliance.Control.Connections;
using Appliance.Derp.Admission;
using Appliance.Derp.Metrics;
using Appliance.Derp.Relay;
using Appliance.Hosting.Metrics;
using Appliance.Hosting.Configuration;
using Appliance.State.Coordinator;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp;

/// <summary>Composition of the embedded DERP relay and STUN responder (called by the composition root).</summary>
public static class DerpServiceCollectionExtensions
{
    /// <summary>
    /// Registers the DERP map provider (always: with DERP disabled it holds only extra regions, or nothing) and, when
    /// <c>derp.enabled</c>, the relay (<see cref="DerpServer"/>, key in <c>&lt;data_dir&gt;/derp_server.key</c>), its
    /// shutdown hook and the STUN hosted service. With <c>derp.verify_clients</c> an <see cref="IDerpAdmission"/> must
    /// be registered by the caller (State's "registered and unexpired" check); without one startup fails, closed.
    /// With <c>verify_clients: false</c> any client that proves its key is admitted.
    /// </summary>
    public static IServiceCollection AddDerp(this IServiceCollection services, ApplianceOptions options, string? certName = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        var contentMap = Content.UpdateContentFiles.ForDataDir(AppliancePaths.From(options).DataDir).DerpMap;
        services.TryAddSingleton(_ => new EmbeddedDerpMapProvider(options, certName, contentMap));
        services.TryAddSingleton<IDerpMapProvider>(sp => sp.GetRequiredService<EmbeddedDerpMapProvider>());
        if (!options.Derp.Enabled)
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new DerpHttpSettings(options.Derp.AllowPlainHttp));
        var meshKey = options.Derp.MeshKeyFile.Length > 0 ? Mesh.DerpMeshKeyFile.LoadOrCreate(options.Derp.MeshKeyFile) : null;
        services.AddSingleton(sp => new DerpServerKey(DerpServerKeyFile.LoadOrCreate(Path.Combine(AppliancePaths.From(options).DataDir, DerpServerKeyFile.FileName))));
        services.AddSingleton(sp =>
        {
            var derp = options.Derp;
            var key = sp.GetRequiredService<DerpServerKey>().Key;
            var admission = derp.VerifyClients
                ? sp.GetService<IDerpAdmission>() ?? throw new InvalidOperationException(
                    "derp.verify_clients is true but no IDerpAdmission is registered: register State's node-key check, or set derp.verify_clients: false")
                : AllowAllDerpAdmission.Instance;
            var serverOptions = new DerpServerOptions { MaxConnections = derp.MaxConnections, MaxPendingHandshakes = derp.MaxPendingHandshakes, SendQueuePackets = derp.SendQueuePackets, MeshKey = meshKey };
            return new DerpServer(key, admission, serverOptions, sp.GetRequiredService<TimeProvider>());
        });
        services.AddHostedService<DerpLifecycleService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConnectionUpgradeTarget, Upgrade.DerpUpgradeTarget>());
        if (options.Derp.AllowPlainHttp && ListenAddress.TryParse(options.Server.Listen, out var httpListen))
        {
            // DERP on the plain HTTP listener gets sockets of its own with large reads (decision 0119); registered after
            // Kestrel's socket transport, which keeps every other endpoint.
            services.AddSingleton<IConnectionListenerFactory>(sp => new Sockets.DerpSocketListenerFactory(sp, httpListen));
        }

        if (meshKey is not null && options.Derp.MeshPeers.Count > 0)
        {
            var peers = options.Derp.MeshPeers.Select(p => new Uri(p)).ToList();
            services.AddSingleton(sp => new Mesh.DerpMeshService(
                sp.GetRequiredService<DerpServer>(), sp.GetRequiredService<DerpServerKey>().Key, meshKey, peers,
                options.Derp.MeshCaFile, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
            services.AddHostedService(sp => sp.GetRequiredService<Mesh.DerpMeshService>());
        }

        services.AddSingleton(sp => new StunHostedService(ListenAddress.Parse(options.Derp.StunListen), sp.GetRequiredService<ILogger<StunHostedService>>()));
        services.AddHostedService(sp => sp.GetRequiredService<StunHostedService>());
        services.AddHostedService<DerpBoundPortsService>();
        services.AddSingleton(sp => new DerpMeter(DerpInstruments.Create(
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            () => sp.GetRequiredService<DerpServer>().Metrics,
            () => sp.GetRequiredService<StunHostedService>().Metrics)));
        services.AddInstrumentSource<DerpMeter>();
        return services;
    }
}

/// <summary>The DERP server's private key, shared by the relay and its mesh links (which connect to peers as this server).</summary>
internal sealed record DerpServerKey(Appliance.Protocol.Keys.NodePrivate Key);
