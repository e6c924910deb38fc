using System.CommandLine;
using System.Net;
using Appliance.Hosting.Configuration;

namespace Appliance.Cli;

/// <summary>
/// `appliance health` (Headscale's `health`): asks the running service on server.listen for /health and /ready, and
/// whether admin.sock answers. Exit 0 when ready, 69 (EX_UNAVAILABLE) otherwise, so it can gate scripts and probes.
/// </summary>
public static class HealthCommand
{
    public static Command Create()
    {
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for each answer.", DefaultValueFactory = _ => 5 };
        var command = new Command("health", "Check that the service runs and is ready (exit 0), else exit 69.") { timeout }.WithOutputOption();
        command.SetAction(async (parse, ct) =>
        {
            var context = CliContext.From(parse);
            if (!context.Config.IsValid)
            {
                return CliConfig.ReportProblems(context.Config, parse.InvocationConfiguration.Error);
            }

            var url = ProbeUrl(context.Config.Options.Server.Listen);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(timeout), 1, 300)) };
            var (live, liveDetail) = await ProbeAsync(http, new Uri(url, "health"), ct).ConfigureAwait(false);
            var (ready, readyDetail) = await ProbeAsync(http, new Uri(url, "ready"), ct).ConfigureAwait(false);
            var admin = await AdminClient.IsListeningAsync(context.AdminSocketPath, ct).ConfigureAwait(false);
            var status = ready ? "ready" : live ? "starting or stopping" : "not running";
            var dto = new HealthDto(status, url.ToString().TrimEnd('/'), live, ready, admin, ready ? null : readyDetail ?? liveDetail);
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), dto, CliJsonContext.Default.HealthDto, o =>
            {
                o.WriteLine($"{dto.Status}: {dto.Url}");
                o.WriteLine($"  /health      {(live ? "ok" : "no answer")}");
                o.WriteLine($"  /ready       {(ready ? "ready" : "not ready")}");
                o.WriteLine($"  admin socket {(admin ? "answers" : "no answer")} ({context.AdminSocketPath})");
                if (dto.Detail is { } detail)
                {
                    o.WriteLine($"  detail       {detail}");
                }
            });
            return ready ? ExitCodes.Ok : ExitCodes.Unavailable;
        });
        return command;
    }

    /// <summary>server.listen as a URL this machine can reach: a wildcard address is asked on loopback.</summary>
    public static Uri ProbeUrl(string listen)
    {
        if (!ListenAddress.TryParse(listen, out var endPoint))
        {
            return new Uri("http://127.0.0.1:8080/");
        }

        var address = endPoint.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : endPoint.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : endPoint.Address;
        return new Uri($"http://{new IPEndPoint(address, endPoint.Port)}/");
    }

    private static async Task<(bool Ok, string? Detail)> ProbeAsync(HttpClient http, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? (true, null) : (false, $"{url.AbsolutePath} answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (false, $"{url.AbsolutePath}: {e.Message}");
        }
    }
}
