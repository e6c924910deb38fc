using System.Net;
using Appliance.Hosting.Configuration;

namespace Appliance.Cli;

/// <summary>What `serve` prints once it is ready: where it listens, and the three steps to a first connected device.</summary>
internal static class StartupBanner
{
    public static void Write(Serilog.ILogger logger, ConfigLoadResult config, AppliancePaths paths, IReadOnlyList<Uri> http)
    {
        var options = config.Options;
        var dataFlag = options.Server.DataDir == new ServerOptions().DataDir || paths.DataDir == InstalledLayout.DataDir ? "" : $" --data-dir {paths.DataDir}";
        logger.Information("The appliance is ready. Config: {Config}", config.SourceDescription);
        foreach (var address in http)
        {
            // The HTTPS listener also serves the embedded DERP relay (clients always reach DERP over TLS).
            var serves = address.Scheme == Uri.UriSchemeHttps ? "HTTPS: DERP relay, /health, /ready" : "control protocol, /health, /ready";
            logger.Information("Listening on {Address} ({Serves})", address.ToString().TrimEnd('/'), serves);
        }

        logger.Information("Admin socket {Socket}; data folder {DataDir}", paths.AdminSocket, paths.DataDir);
        logger.Information("Next steps: 1) create a user: appliance users create alice{DataFlag}", dataFlag);
        logger.Information("            2) create a pre-auth key: appliance preauthkeys create --user alice --expiration 1h{DataFlag}", dataFlag);
        logger.Information("            3) on each device: tailscale up --login-server {ServerUrl} --authkey KEY", options.Server.ServerUrl);
        if (Uri.TryCreate(options.Server.ServerUrl, UriKind.Absolute, out var url)
            && (url.IsLoopback || (IPAddress.TryParse(url.Host, out var ip) && IPAddress.IsLoopback(ip))))
        {
            logger.Warning("server.server_url {ServerUrl} is a loopback address: devices on other machines need server.server_url (and server.listen) set to an address they can reach", options.Server.ServerUrl);
        }
    }
}
