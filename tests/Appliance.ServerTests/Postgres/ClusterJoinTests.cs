using System.Globalization;
using System.Net;
using System.Text.Json;
using Appliance.Control.Noise;
using Appliance.Hosting.Admin;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.ServerTests.Support;
using Appliance.TestKit.Noise;
using Appliance.TestKit.Postgres;
using Xunit.Abstractions;

namespace Appliance.ServerTests.Postgres;

/// <summary>
/// Issue 17, what two `appliance serve` processes on one real PostgreSQL share beyond the tailnet (docs/ops/ha.md):
/// B starts with an empty data folder and the cluster key file and serves with A's Noise key; an interactive login
/// waiting on A is listed and approved on B and completes on A; a client that re-asks B with its registration
/// finds it there and gets an approval made on A; an instance whose IP prefixes or Noise key differ is refused
/// (exit 78), one without the right cluster key too, and a softer difference (the base domain) is reported by
/// `appliance status` and logged as an error on both.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class ClusterJoinTests(PostgresCluster cluster, ITestOutputHelper output) : IClassFixture<PostgresCluster>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task B_serves_A_s_noise_key_and_interactive_logins_started_on_one_instance_complete_through_the_other()
    {
        await using var ha = new SharedDatabaseInstances(cluster, "halogin");
        var a = await ha.StartAsync("a");
        var b = await ha.StartAsync("b");

        // B started with an empty data folder and took the key A stored (sealed) in the database: same /key, same file.
        var keyOfA = await NoiseControlClient.FetchServerKeyAsync(a.Server, CapabilityVersion.TestClient);
        Assert.Equal(keyOfA, await NoiseControlClient.FetchServerKeyAsync(b.Server, CapabilityVersion.TestClient));
        var fileOfB = Path.Combine(b.Data, NoiseServerKeyFile.FileName);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fileOfB));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(a.Data, NoiseServerKeyFile.FileName)), await File.ReadAllTextAsync(fileOfB));
        Assert.Equal(0, (await ha.Cli("users", "create", "bob", "--data-dir", a.Data)).Code);

        // A client waits on A; the operator lists and approves it through B's admin socket.
        var laptop = (await ha.ConnectAsync(a, MachinePrivate.Generate(), "laptop", serverKey: keyOfA)).Node;
        var url = (await laptop.RegisterAsync(null)).Response!.AuthURL;
        Assert.Contains("/register/", url, StringComparison.Ordinal);
        var waiting = laptop.RegisterAsync(null, followup: url);
        var pending = Assert.Single(await ListAsync(ha, b));
        Assert.Equal(url[(url.LastIndexOf('/') + 1)..], pending.Id);
        Assert.Equal("laptop", pending.Hostname);
        var approved = await ha.Cli("auth", "approve", pending.Id, "--user", "bob", "--data-dir", b.Data);
        Assert.True(approved.Code == 0, approved.Out + approved.Err);
        var started = DateTime.UtcNow;
        var done = await waiting.WaitAsync(Wait);
        output.WriteLine($"approval on B reached the client waiting on A after {(DateTime.UtcNow - started).TotalMilliseconds:F0} ms");
        Assert.Equal(HttpStatusCode.OK, done.Status);
        Assert.True(done.Response!.MachineAuthorized, done.Text);
        Assert.Equal("bob", done.Response.Login.LoginName);
        Assert.True(await laptop.StartMapPollAsync() == HttpStatusCode.OK, laptop.LastError);
        Assert.True(await laptop.WaitUntilAsync(n => n.Self?.Name.StartsWith("laptop.", StringComparison.Ordinal) == true, Wait));
        Assert.Empty(await ListAsync(ha, a));

        // A client that got its AuthURL from A and re-asks B (A's key pins B too) finds its login on B; A approves.
        var machine = MachinePrivate.Generate();
        var firstAsk = (await ha.ConnectAsync(a, machine, "desktop", serverKey: keyOfA)).Node;
        var second = (await firstAsk.RegisterAsync(null)).Response!.AuthURL;
        var onB = (await ha.ConnectAsync(b, machine, "desktop", firstAsk.NodeKey, keyOfA)).Node;
        var waitingOnB = onB.RegisterAsync(null, followup: second);
        Assert.Single(await ListAsync(ha, b));
        await Task.Delay(500); // let B hold the poll; a Followup that arrives after the approval is answered at once anyway
        Assert.False(waitingOnB.IsCompleted, "B answered the re-asked login without an approval");
        var registered = await ha.Cli("nodes", "register", "--user", "bob", "--key", second, "--data-dir", a.Data);
        Assert.True(registered.Code == 0, registered.Out + registered.Err);
        var doneOnB = await waitingOnB.WaitAsync(Wait);
        Assert.True(doneOnB.Response!.MachineAuthorized, doneOnB.Text);
        Assert.True(await onB.StartMapPollAsync() == HttpStatusCode.OK, onB.LastError);
        Assert.True(await laptop.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Name.StartsWith("desktop.", StringComparison.Ordinal)), Wait));
    }

    [Fact]
    public async Task Instances_whose_prefixes_noise_key_or_cluster_key_differ_are_refused_and_softer_differences_are_reported()
    {
        await using var ha = new SharedDatabaseInstances(cluster, "hasettings");
        var a = await ha.StartAsync("a");

        // Other IP prefixes: refused before serving, naming the key.
        var prefixes = await ServeOnceAsync(ha, "prefixes", new() { ["APPLIANCE_PREFIXES_V4"] = "100.100.0.0/16" });
        Assert.True(prefixes.Code == 78, prefixes.Out + prefixes.Err);
        Assert.Contains("prefixes.v4 differs from instance", prefixes.Out + prefixes.Err, StringComparison.Ordinal);

        // Its own Noise key in its data folder: refused, and the file is kept.
        var ownKey = ha.Temp.Combine("data-ownkey");
        Directory.CreateDirectory(ownKey, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var keyFile = Path.Combine(ownKey, NoiseServerKeyFile.FileName);
        var own = NoiseServerKeyFile.LoadOrCreate(keyFile).ToSecretText();
        var refusedKey = await ServeOnceAsync(ha, "ownkey", new(), ownKey);
        Assert.True(refusedKey.Code == 78, refusedKey.Out + refusedKey.Err);
        Assert.Contains("is not the key the appliances on this database share", refusedKey.Out + refusedKey.Err, StringComparison.Ordinal);
        Assert.Contains(own, await File.ReadAllTextAsync(keyFile), StringComparison.Ordinal);

        // Another cluster key file: the stored key does not open.
        var wrongCluster = await ServeOnceAsync(ha, "wrongkey", new() { ["APPLIANCE_DATABASE_CLUSTER_KEY_FILE"] = ha.Temp.Combine("other-cluster.key") });
        Assert.True(wrongCluster.Code == 78, wrongCluster.Out + wrongCluster.Err);
        Assert.Contains("does not open with database.cluster_key_file", wrongCluster.Out + wrongCluster.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(ha.Temp.Combine("data-wrongkey", NoiseServerKeyFile.FileName)), "a key was written without the cluster's");

        // Another base domain: B serves, and both report the difference (status, and an error in the log).
        var b = ha.Prepare("b");
        b.Extra["APPLIANCE_DNS_BASE_DOMAIN"] = "other.internal";
        await ha.StartAsync(b);
        var status = await StatusAsync(ha, b);
        Assert.Contains("SETTINGS DIFFER", status, StringComparison.Ordinal);
        Assert.Contains("dns.base_domain from ", status, StringComparison.Ordinal);
        Assert.True(await EventuallyAsync(() => a.Process!.Stdout.Contains("dns.base_domain differs from instance", StringComparison.Ordinal)), a.Process!.Stdout);
        Assert.Contains("settings differ between the appliances on this database", b.Process!.Stdout, StringComparison.Ordinal);

        // B leaves: A's next comparison finds everyone agreeing again.
        b.Process.Signal("TERM");
        Assert.Equal(0, await b.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await EventuallyAsync(async () => (await StatusAsync(ha, a)).Contains("settings agree with every live instance", StringComparison.Ordinal)));
        Assert.True(await EventuallyAsync(() => a.Process!.Stdout.Contains("agree on their settings again", StringComparison.Ordinal)), a.Process!.Stdout);
    }

    /// <summary>A `serve` expected to refuse: its exit code and output.</summary>
    private static async Task<(int Code, string Out, string Err)> ServeOnceAsync(SharedDatabaseInstances ha, string name, Dictionary<string, string> overrides, string? data = null)
    {
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        return await ha.CliWith(overrides, "serve", "--data-dir", data ?? ha.Temp.Combine("data-" + name), "--listen", "127.0.0.1:" + port);
    }

    private static async Task<IReadOnlyList<PendingRegistrationDto>> ListAsync(SharedDatabaseInstances ha, ServeInstance instance)
    {
        var listed = await ha.Cli("auth", "list", "--data-dir", instance.Data, "-o", "json");
        Assert.True(listed.Code == 0, listed.Out + listed.Err);
        return JsonSerializer.Deserialize(listed.Out, AdminJsonContext.Default.IReadOnlyListPendingRegistrationDto)!;
    }

    private static async Task<string> StatusAsync(SharedDatabaseInstances ha, ServeInstance instance)
    {
        var status = await ha.Cli("status", "--data-dir", instance.Data, "-o", "json");
        Assert.True(status.Code == 0, status.Out + status.Err);
        return JsonDocument.Parse(status.Out).RootElement.GetProperty("cluster").GetString()!;
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition) => await EventuallyAsync(() => Task.FromResult(condition()));

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }
}
