using Appliance.Hosting.Backup;
using Appliance.Hosting.Health;
using Appliance.Hosting.Identity;
using Appliance.Hosting.Tls;
using Appliance.State.Coordinator;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static Appliance.Hosting.AdminConsole.Html.ConsoleHtml;

namespace Appliance.Hosting.AdminConsole.Pages;

/// <summary>The figures that matter, without Grafana: readiness, nodes online, pending logins, policy, identity, backups, certificates, faults.</summary>
internal static class HealthPage
{
    public const string Path = "/admin/health";

    public static Task<IResult> Show(ConsoleUser user, HttpContext context)
    {
        var services = context.RequestServices;
        var readiness = services.GetRequiredService<ReadinessState>();
        var coordinator = services.GetRequiredService<ControlCoordinator>();
        var snapshot = coordinator.Snapshot;
        var online = snapshot.Nodes.Keys.Count(id => coordinator.IsOnline(id) == true);
        var identity = services.GetRequiredService<IdentityFileService>();
        var backup = services.GetService<BackupStatus>();
        var tls = services.GetService<TlsCertificateStore>();
        var policy = PolicyPage.Live(context);
        (string Name, string Value, bool Bad)[] rows =
        [
            ("Readiness", readiness.IsReady ? "ready" : readiness.Problem ?? readiness.Phase.ToString(), !readiness.IsReady),
            ("Version", HealthEndpoints.RunningVersion, false),
            ("Nodes", $"{snapshot.Nodes.Count} ({online} online)", false),
            ("Pending logins", coordinator.ListPending().Count.ToString(System.Globalization.CultureInfo.InvariantCulture), false),
            ("Policy", policy.Version is { } v ? $"version {v} from {policy.Source}" : policy.Source, false),
            ("Identity file", identity.LastError ?? (identity.Loaded ? $"{identity.Current.People.Count} people" : "not loaded"), identity.LastError is not null),
            ("Last backup", backup is null ? "not scheduled" : backup.LastBackupFailed ? "failed" : backup.LastBackupSuccess?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "none yet", backup?.LastBackupFailed == true),
            ("Certificates", tls is null ? "TLS off" : tls.GetHealth().Status.ToString(), tls?.GetHealth().IsCritical == true),
            ("Background faults", coordinator.BackgroundFaults.ToString(System.Globalization.CultureInfo.InvariantCulture), coordinator.BackgroundFaults > 0),
        ];
        var body = $"""
            <table id="health">
            <caption class="vh">Health</caption>
            <tbody>{string.Concat(rows.Select(r => $"<tr><th scope=\"row\">{E(r.Name)}</th><td>{(r.Bad ? $"<strong class=\"error\">{E(r.Value)}</strong>" : E(r.Value))}</td></tr>"))}</tbody>
            </table>
            <p class="muted">Prometheus metrics and alert rules: docs/ops/metrics.md.</p>
            """;
        return Task.FromResult(ConsoleResults.Html(context, StatusCodes.Status200OK, Page(user, Path, "Health", body)));
    }
}
