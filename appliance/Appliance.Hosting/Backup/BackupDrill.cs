using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Startup;
using Appliance.Hosting.Tls;
using Microsoft.AspNetCore.Builder;

namespace Appliance.Hosting.Backup;

/// <summary>
/// `backup verify`, the restore drill: unpacks an archive into a temporary folder (checking every checksum), starts
/// a server on the restored data folder (loopback, ephemeral ports, no TLS, DERP, metrics or schedule of its own),
/// asks it through its admin socket for its nodes, users and policy, and compares them with what the manifest says
/// the tailnet held when the backup was taken. Returns the differences (empty = the backup restores).
/// </summary>
public static class BackupDrill
{
    public static async Task<IReadOnlyList<string>> VerifyAsync(string archive, Encryption.AgeIdentity? identity = null, CancellationToken cancellationToken = default)
    {
        // Short path: the restored admin socket must fit sun_path (107 bytes).
        var scratch = Path.Combine(Path.GetTempPath(), "appliance-drill-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var manifest = BackupReader.Extract(archive, scratch, identity);
            var data = Path.Combine(scratch, "data");
            var policyFolder = Path.Combine(scratch, "policy");
            var policyFile = Directory.Exists(policyFolder) ? Directory.EnumerateFiles(policyFolder).FirstOrDefault() : null;
            var options = new ApplianceOptions
            {
                Server = { Listen = "127.0.0.1:0", HttpsListen = "127.0.0.1:0", DataDir = data, ShutdownTimeout = TimeSpan.FromSeconds(2) },
                Log = { File = "off" },
                Tls = { Mode = TlsMode.Off },
                Derp = { Enabled = false, VerifyClients = false },
                Metrics = { Enabled = false },
                Backup = { Interval = TimeSpan.Zero, VerifyInterval = TimeSpan.Zero },
                Policy = { File = policyFile ?? "", Reload = false },
            };
            var opened = ApplianceState.TryOpen(AppliancePaths.From(options));
            if (opened.State is not { } state)
            {
                return [$"the restored data folder does not open ({opened.Failure}): {opened.Message}"];
            }

            using (state)
            {
                var app = ApplianceHost.Build(options, state, Serilog.Core.Logger.None);
                await using (app.ConfigureAwait(false))
                {
                    await app.StartAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        var found = await ReadTailnetAsync(state.Paths.AdminSocket, cancellationToken).ConfigureAwait(false);
                        return Compare(manifest.Tailnet, found);
                    }
                    finally
                    {
                        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    private static List<string> Compare(TailnetSummary expected, TailnetSummary found)
    {
        var differences = new List<string>();
        Diff("node", expected.Nodes, found.Nodes, differences);
        Diff("user", expected.Users, found.Users, differences);
        if (expected.PolicySha256 != found.PolicySha256)
        {
            differences.Add($"policy: the backup had {expected.PolicySha256 ?? "none"}, the restored server serves {found.PolicySha256 ?? "none"}");
        }

        return differences;
    }

    private static void Diff(string what, IReadOnlyList<string> expected, IReadOnlyList<string> found, List<string> differences)
    {
        differences.AddRange(expected.Except(found, StringComparer.Ordinal).Select(e => $"{what} missing after restore: {e}"));
        differences.AddRange(found.Except(expected, StringComparer.Ordinal).Select(e => $"{what} not in the backup: {e}"));
    }

    private static async Task<TailnetSummary> ReadTailnetAsync(string adminSocket, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(adminSocket), token).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri("http://admin/") };
        using var nodes = await GetJsonAsync(http, "api/v1/nodes", cancellationToken).ConfigureAwait(false);
        using var users = await GetJsonAsync(http, "api/v1/users", cancellationToken).ConfigureAwait(false);
        using var policy = await http.GetAsync(new Uri("api/v1/policy", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        string? policySha = null;
        if (policy.IsSuccessStatusCode)
        {
            using var document = await JsonDocument.ParseAsync(await policy.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (document.RootElement.TryGetProperty("text", out var text) && text.GetString() is { } policyText)
            {
                policySha = BackupStorage.Sha256(policyText);
            }
        }

        return new TailnetSummary(
            nodes!.RootElement.EnumerateArray().Select(n => n.GetProperty("name").GetString() + " " + n.GetProperty("nodeKey").GetString()).Order(StringComparer.Ordinal).ToList(),
            users!.RootElement.EnumerateArray().Select(u => u.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList(),
            policySha);
    }

    private static async Task<JsonDocument> GetJsonAsync(HttpClient http, string path, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new BackupException($"the restored server answered {(int)response.StatusCode} to {path}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }

        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
