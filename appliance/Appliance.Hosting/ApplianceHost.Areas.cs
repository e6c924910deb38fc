using System.Net;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Noise;
using Appliance.Hosting.Startup;
using Appliance.Hosting.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

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
        services.AddAdminApi();

        // ts2021: the Noise transport behind /key and /ts2021; its machine key lives in the data folder.
        services.AddNoiseTransport(state.Paths.DataDir);

        // HTTPS certificate from the local CA or the site's files.
        if (options.Tls.Mode != TlsMode.Off)
        {
            services.AddLocalCa(ToTlsOptions(options, state.Paths));
        }
    }

    private static void ListenAreas(KestrelServerOptions kestrel, ApplianceOptions options)
    {
        kestrel.ListenNoise();
        if (options.Tls.Mode != TlsMode.Off)
        {
            kestrel.Listen(ListenAddress.Parse(options.Server.HttpsListen), listen => listen.UseApplianceTls());
        }
    }

    private static void MapAreas(WebApplication app)
    {
        app.UseNoiseTransport();
        app.MapNoiseEndpoints();
        app.MapAdminApi();
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
        };
    }
}
