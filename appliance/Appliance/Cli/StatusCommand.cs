using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using Appliance.Hosting.Backup;
using Appliance.Hosting.Configuration;
using Appliance.Pki.Authority;
using Appliance.Updates.Apply;

namespace Appliance.Cli;

/// <summary>
/// `appliance status [-o json]`: one screen on the appliance as the operator finds it: the systemd service, the
/// release answering /ready, the listeners, certificate expiry, nodes online of total, the last backup and the update
/// state, and on a shared database whether this instance's settings agree with the others'. Each part that cannot be read (service stopped, not root) says why instead of failing the whole command.
/// </summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", "Show service state, version, listeners, certificate expiry, nodes and update state.");
        CliContext.AddOptions(command);
        command.Options.Add(CliOutput.CreateOption());
        command.SetAction(async (parse, ct) =>
        {
            var context = CliContext.From(parse);
            if (!context.Config.IsValid)
            {
                return CliConfig.ReportProblems(context.Config, parse.InvocationConfiguration.Error);
            }

            var status = await CollectAsync(context, ct).ConfigureAwait(false);
            CliOutput.Write(parse.InvocationConfiguration.Output, CliOutput.FormatOf(parse), status, StatusJsonContext.Default.ApplianceStatus, Table);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static async Task<ApplianceStatus> CollectAsync(CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var options = context.Config.Options;
        var listeners = new List<string> { $"http {options.Server.Listen}" };
        if (options.Tls.Mode != Hosting.Tls.TlsMode.Off)
        {
            listeners.Add($"https {options.Server.HttpsListen}");
        }

        listeners.Add($"stun {options.Derp.StunListen}");
        listeners.Add($"admin {context.AdminSocketPath}");
        var readable = CanRead(context.DataDirectory);
        return new ApplianceStatus(
            ServiceState(),
            await RunningVersionAsync(options, cancellationToken).ConfigureAwait(false),
            options.Server.ServerUrl,
            context.DataDirectory,
            listeners,
            readable is null ? Certificates(context.DataDirectory) : [new CertificateStatus("CA", null, readable)],
            await NodesAsync(context, cancellationToken).ConfigureAwait(false),
            readable is null ? LastBackup(context) : readable,
            readable is null ? Updates(context) : new UpdateState(null, null, null, null, null, readable),
            await ClusterAsync(context, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Several appliances on one database: whether this one's settings agree with the others' (docs/ops/ha.md).</summary>
    private static async Task<string> ClusterAsync(CliContext context, CancellationToken cancellationToken)
    {
        if (context.Config.Options.Database.Type != DatabaseType.Postgres)
        {
            return "single appliance (sqlite)";
        }

        if (!await AdminClient.IsListeningAsync(context.AdminSocketPath, cancellationToken).ConfigureAwait(false))
        {
            return $"unknown: the service does not answer on {context.AdminSocketPath}";
        }

        using var client = new AdminClient(context.AdminSocketPath);
        try
        {
            var cluster = await client.ClusterStatusAsync(cancellationToken).ConfigureAwait(false);
            if (!cluster.IsOk)
            {
                return "unknown: " + cluster.Error;
            }

            var status = cluster.Value!;
            return status.Disagreements.Count == 0
                ? $"instance {status.Instance}: settings agree with every live instance"
                : $"instance {status.Instance}: SETTINGS DIFFER: " + string.Join("; ", status.Disagreements.Select(d => $"{d.Key} from {string.Join(", ", d.Instances)}"));
        }
        catch (HttpRequestException e)
        {
            return "unknown: " + e.Message;
        }
    }

    /// <summary>Null when this user may read the data folder; else why not (operators in appliance-admin may not: 0700).</summary>
    private static string? CanRead(string dataDirectory)
    {
        try
        {
            _ = Directory.EnumerateFileSystemEntries(dataDirectory).Any();
            return null;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return $"not readable by this user ({dataDirectory} is the service user's); run as root for this line";
        }
    }

    private static string ServiceState()
    {
        try
        {
            var (code, stdout, _) = SystemCommand.TryRun("systemctl", "is-active", InstalledLayout.Unit);
            var state = stdout.Trim();
            return code == 0 || state.Length > 0 ? state : "unknown";
        }
        catch (InstallException)
        {
            return "unknown (no systemd)";
        }
    }

    /// <summary>The release that answers /ready on server.listen (the Appliance-Version header), or why none does.</summary>
    private static async Task<string> RunningVersionAsync(ApplianceOptions options, CancellationToken cancellationToken)
    {
        if (!ListenAddress.TryParse(options.Server.Listen, out var endPoint))
        {
            return "unknown";
        }

        var host = endPoint.Address.Equals(System.Net.IPAddress.Any) ? "127.0.0.1"
            : endPoint.Address.Equals(System.Net.IPAddress.IPv6Any) ? "[::1]"
            : endPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]" : endPoint.Address.ToString();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri($"http://{host}:{endPoint.Port}/ready"), cancellationToken).ConfigureAwait(false);
            var version = response.Headers.TryGetValues(HttpReadyProbe.VersionHeader, out var values) ? values.FirstOrDefault() : null;
            return response.IsSuccessStatusCode ? version ?? "unknown (ready)" : $"{version ?? "unknown"} (not ready: {(int)response.StatusCode})";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "not answering";
        }
    }

    private static IReadOnlyList<CertificateStatus> Certificates(string dataDirectory)
    {
        try
        {
            using var ca = LocalCa.Open(dataDirectory, TimeProvider.System);
            return [.. ca.Status().Certificates.Select(c => new CertificateStatus(c.Role.ToString(), c.NotAfter, null))];
        }
#pragma warning disable CA1031 // Status reports what it cannot read; it never fails for one part.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return [new CertificateStatus("CA", null, $"not readable here ({e.Message})")];
        }
    }

    private static async Task<NodeCounts> NodesAsync(CliContext context, CancellationToken cancellationToken)
    {
        if (!await AdminClient.IsListeningAsync(context.AdminSocketPath, cancellationToken).ConfigureAwait(false))
        {
            return new NodeCounts(null, null, $"the service does not answer on {context.AdminSocketPath}");
        }

        using var client = new AdminClient(context.AdminSocketPath);
        try
        {
            var nodes = await client.ListNodesAsync(null, cancellationToken).ConfigureAwait(false);
            return nodes.IsOk
                ? new NodeCounts(nodes.Value!.Count(n => n.Online == true), nodes.Value!.Count, null)
                : new NodeCounts(null, null, nodes.Error);
        }
        catch (HttpRequestException e)
        {
            return new NodeCounts(null, null, e.Message);
        }
    }

    /// <summary>The newest archive in the backup folder (backup.dir, else &lt;data&gt;/backups) and when it was taken.</summary>
    private static string LastBackup(CliContext context)
    {
        var options = context.Config.Options;
        options.Server.DataDir = context.DataDirectory;
        var folder = new BackupSources(options, context.Config.SourceFile).BackupDir;
        try
        {
            return BackupArchives.Newest(folder) is { } newest
                ? $"{CliOutput.Time(BackupArchives.TakenAt(newest))} UTC {newest}"
                : $"none in {folder}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"not readable here ({e.Message})";
        }
    }

    private static UpdateState Updates(CliContext context)
    {
        try
        {
            var paths = AppliancePaths.From(context.Config.Options);
            var updatesRoot = Path.Combine(paths.DataDir, UpdateCommands.UpdatesFolder);
            var updater = new Updater(new UpdatePaths(updatesRoot, paths.ReleasesDir, InstalledTrustRoot.For(updatesRoot)),
                new UpdaterOptions(), new SystemdRestarter(), new HttpReadyProbe(0, TimeProvider.System), TimeProvider.System);
            var s = updater.Status();
            return new UpdateState(s.Current, s.Previous, s.Content, s.RootVersion, s.Pending is { } p ? $"{p.Kind} {p.Version} at {p.Step}" : null, null);
        }
#pragma warning disable CA1031 // Status reports what it cannot read; it never fails for one part.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new UpdateState(null, null, null, null, null, $"not readable here ({e.Message})");
        }
    }

    private static TextTable Table(ApplianceStatus s)
    {
        var table = new TextTable("WHAT", "STATUS");
        table.Add("service", s.Service);
        table.Add("version", s.Version);
        table.Add("server url", s.ServerUrl);
        table.Add("data folder", s.DataDirectory);
        foreach (var listener in s.Listeners)
        {
            table.Add("listener", listener);
        }

        foreach (var c in s.Certificates)
        {
            table.Add("certificate", c.Problem ?? $"{c.Role} expires {CliOutput.Time(c.Expires)}");
        }

        table.Add("nodes", s.Nodes.Problem ?? string.Create(CultureInfo.InvariantCulture, $"{s.Nodes.Online} online of {s.Nodes.Total}"));
        table.Add("last backup", s.LastBackup);
        table.Add("update", s.Update.Problem ?? $"release {s.Update.Current ?? "unknown"} (previous {s.Update.Previous ?? "none"}), content {s.Update.Content ?? "none"}, root metadata {(s.Update.RootVersion is { } v ? "v" + v.ToString(CultureInfo.InvariantCulture) : "not pinned")}, interrupted {s.Update.Interrupted ?? "none"}");
        table.Add("cluster", s.Cluster);
        return table;
    }
}

/// <summary>What `appliance status` shows; `-o json` prints it with these names.</summary>
public sealed record ApplianceStatus(string Service, string Version, string ServerUrl, string DataDirectory, IReadOnlyList<string> Listeners,
    IReadOnlyList<CertificateStatus> Certificates, NodeCounts Nodes, string LastBackup, UpdateState Update, string Cluster);

public sealed record CertificateStatus(string Role, DateTimeOffset? Expires, string? Problem);

public sealed record NodeCounts(int? Online, int? Total, string? Problem);

public sealed record UpdateState(string? Current, string? Previous, string? Content, int? RootVersion, string? Interrupted, string? Problem);

// camelCase with every field present (null when unknown), as every verb's JSON (docs/cli.md, "Output contract").
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ApplianceStatus))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
