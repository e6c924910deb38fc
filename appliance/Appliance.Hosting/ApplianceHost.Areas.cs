using Appliance.Hosting.AdminConsole;
using Appliance.Hosting.Identity;
using Appliance.Hosting.Identity.Login;
using System.Net;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Audit;
using Appliance.Hosting.Cluster;
using Appliance.Hosting.Backup;
using Appliance.Control.Diagnostics;
using Appliance.Control.Metrics;
using Appliance.Control.Setup;
using Appliance.Derp.Admission;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Control;
using Appliance.Hosting.Content;
using Appliance.Hosting.Derp;
using Appliance.Control.Connections;
using Appliance.Control.Noise;
using Appliance.Hosting.Health;
using Appliance.Hosting.Metrics;
using Appliance.Hosting.Policy;
using Appliance.Hosting.Startup;
using Appliance.Hosting.Tls;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting;

/// <summary>
/// Where each area plugs into the composition root: one call per area in each of the three phases below
/// (services, Kestrel listeners, endpoints). An area maps its own section of <see cref="ApplianceOptions"/> into
/// its library's options here, so libraries never see YAML.
/// </summary>
public static partial class ApplianceHost
{
    private static void AddAreas(IServiceCollection services, ApplianceOptions options, ApplianceState state)
    {
        // Storage and the admin API (users, pre-auth keys, nodes) over admin.sock.
        services.AddApplianceStorage(state.Directory, state.Database);

        // State's repositories over that database (nodes, users, the pre-auth key check) for the coordinator
        // AddControl builds below: composed here, so Control never references Storage.
        services.AddTailnetRepositories();

        // DERP first: its embedded map provider must be the IDerpMapProvider AddControl finds (AddControl uses TryAdd).
        // Admission (derp.verify_clients) asks the coordinator's snapshot; the revocation sweep closes the relay
        // connections of nodes that are deleted or expire.
        services.AddSingleton(sp => new TailnetDerpAdmission(
            sp.GetRequiredService<ControlCoordinator>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IDerpAdmission>(sp => sp.GetRequiredService<TailnetDerpAdmission>());
        services.AddDerp(options);
        if (options.Derp.Enabled)
        {
            services.AddHostedService<DerpNodeRevocationService>();
        }

        // Control (/machine/register, /machine/map inside Noise). The coordinator registers itself as the
        // writer the admin API's NodeService and IdentityService run their commands on, so operator verbs
        // (expire, delete, rename, tags, routes, user deletion) reach connected peers at once and are never undone.
        services.AddControl(ControlOptionsMapping.ToCoordinatorOptions(options));

        // People (identity.file): applied before the policy's first compile so its groups and roles exist.
        services.AddIdentityFile();

        // The policy (policy.file, else the newest stored version): loaded after the coordinator has the tailnet,
        // reloaded on SIGHUP and file changes, administered through admin.sock.
        services.AddPolicy();

        // Several appliances on one PostgreSQL database: changes, presence and leases shared (docs/ops/ha.md).
        if (options.Database.Type == DatabaseType.Postgres)
        {
            services.AddClusterSync();
            services.AddClusterSettingsCheck(options);
        }

        // The audit log (docs/ops/audit.md): admin verbs, reloads, logins, backups are recorded with who asked.
        services.AddAudit(options.Audit, state);
        services.AddAdminApi();

        // The admin web console (/admin, HTTPS listener only): sessions, the audit hook, the policy history.
        services.AddAdminConsole();

        // Content from offline update bundles (<data>/updates/content): DERP regions and users, at start and on SIGHUP.
        services.AddUpdateContent(options);

        // ts2021: the Noise transport behind /key and /ts2021; its machine key lives in the data folder.
        services.AddNoiseTransport(state.Paths.DataDir);

        // Metrics: every area's instruments, exported for Prometheus on metrics.listen (docs/ops/metrics.md); the
        // write probe behind /ready and appliance_database_writable; the update state for the metrics.
        services.AddSingleton(sp => new DatabaseWriteProbe(
            state, sp.GetRequiredService<ReadinessState>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DatabaseWriteProbe>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DatabaseWriteProbe>());
        services.AddSingleton(new UpdateStateReader(state.Paths.DataDir));
        services.AddSingleton(sp => new ClientRefusalSummary(sp.GetRequiredService<ILoggerFactory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddInstrumentSource<ControlMetrics>();

        // Backups: the schedule (backup.interval, keep, verify_interval) and its status for the metrics.
        services.AddSingleton(new BackupSources(options, configFile: null));
        services.AddSingleton<BackupStatus>();
        services.AddSingleton<BackupScheduler>();
        if (options.Database.Type == DatabaseType.Sqlite)
        {
            // On PostgreSQL the tailnet lives in the site's database server, which PostgreSQL's own backups cover
            // (docs/ops/postgresql.md); the archive format holds the SQLite file, so there is no schedule.
            services.AddHostedService(sp => sp.GetRequiredService<BackupScheduler>());
        }
        services.AddApplianceMetrics(options.Metrics);

        // HTTPS certificate from the local CA or the site's files.
        if (options.Tls.Mode != TlsMode.Off)
        {
            services.AddLocalCa(ToTlsOptions(options, state.Paths));
        }
    }

    private static void ListenAreas(KestrelServerOptions kestrel, ApplianceOptions options)
    {
        kestrel.ListenNoise();
        kestrel.ListenMetrics(options.Metrics);
        if (options.Tls.Mode != TlsMode.Off)
        {
            kestrel.Listen(ListenAddress.Parse(options.Server.HttpsListen), listen => listen.UseApplianceTls().UseConnectionUpgrades());
        }
    }

    private static void MapAreas(WebApplication app)
    {
        app.UseMetricsListener(app.Services.GetRequiredService<ApplianceOptions>().Metrics);
        app.UseNoiseTransport();
        app.MapNoiseEndpoints();
        app.MapControlEndpoints();
        app.MapDerp();
        app.MapAdminApi();
        app.MapLoginPage();
        app.MapAdminConsole();
    }

    /// <summary>The tls: section for the Tls area. Without explicit names the certificate covers server_url's host and loopback.</summary>
    internal static ApplianceTlsOptions ToTlsOptions(ApplianceOptions options, AppliancePaths paths)
    {
        var tls = options.Tls;
        var dnsNames = tls.DnsNames.ToList();
        var addresses = tls.IpAddresses.Select(IPAddress.Parse).ToList();
        if (dnsNames.Count == 0 && addresses.Count == 0)
        {
            dnsNames.Add("localhost");
            addresses.Add(IPAddress.Loopback);
            addresses.Add(IPAddress.IPv6Loopback);
            if (Uri.TryCreate(options.Server.ServerUrl, UriKind.Absolute, out var url))
            {
                if (IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip))
                {
                    if (!addresses.Contains(ip))
                    {
                        addresses.Add(ip);
                    }
                }
                else if (!dnsNames.Contains(url.Host, StringComparer.OrdinalIgnoreCase))
                {
                    dnsNames.Insert(0, url.Host);
                }
            }
        }

        return new ApplianceTlsOptions
        {
            Mode = tls.Mode,
            CertFile = tls.CertFile.Length == 0 ? null : tls.CertFile,
            KeyFile = tls.KeyFile.Length == 0 ? null : tls.KeyFile,
            DnsNames = dnsNames,
            IpAddresses = addresses,
            LeafLifetime = tls.LeafLifetime,
            RenewAt = tls.RenewAt,
            Chain = tls.Chain,
            DataDir = paths.DataDir,
            RequestClientCertificate = options.Identity.CertificateLogin,
            ClientCaFiles = options.Identity.ClientCaFiles,
        };
    }
}
