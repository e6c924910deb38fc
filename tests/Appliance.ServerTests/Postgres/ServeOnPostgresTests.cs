using System.Net;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.ServerTests.Support;
using Appliance.TestKit.Control;
using Appliance.TestKit.Noise;
using Appliance.TestKit.Postgres;

namespace Appliance.ServerTests.Postgres;

/// <summary>
/// Issue 17's first half end to end: `appliance serve` (the real executable, configured only through
/// APPLIANCE_DATABASE_* as an operator would) on a real PostgreSQL database. Two Noise test clients register with a
/// pre-auth key made by the CLI over admin.sock and see each other; after a restart of the appliance both nodes are
/// still there with the same addresses, read back from PostgreSQL. Nothing is written to an appliance.db.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class ServeOnPostgresTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private readonly TempFolder _temp = new();

    [Fact]
    public async Task Two_nodes_registered_through_serve_on_postgres_see_each_other_and_survive_a_restart()
    {
        var data = _temp.Combine("data");
        var port = FreePort.Next();
        var server = new Uri($"http://127.0.0.1:{port}");
        var environment = new Dictionary<string, string>
        {
            ["APPLIANCE_LOG_FILE"] = "off",
            ["APPLIANCE_DATABASE_TYPE"] = "postgres",
            ["APPLIANCE_DATABASE_CONNECTION"] = cluster.CreateDatabase("serve"),
        };
        string[] serve = ["serve", "--data-dir", data, "--listen", $"127.0.0.1:{port}"];

        var machineA = MachinePrivate.Generate();
        var machineB = MachinePrivate.Generate();
        Node selfA;
        Node selfB;
        using (var first = ApplianceProcess.Start(serve, environment))
        {
            Assert.True(await Http.WaitForHealthAsync(server, first, TimeSpan.FromSeconds(60)) == "ok", first.Stdout + first.Stderr);
            Assert.Equal(0, (await Cli(environment, "users", "create", "alice", "--data-dir", data)).Code);
            var created = await Cli(environment, "preauthkeys", "create", "--user", "alice", "--reusable", "--expiration", "1h", "--data-dir", data);
            Assert.True(created.Code == 0, created.Out + created.Err);
            var key = created.Out.Trim();

            await using (var a = await ConnectAsync(server, machineA, "pg-a"))
            await using (var b = await ConnectAsync(server, machineB, "pg-b"))
            {
                var registered = await a.Node.RegisterAsync(key);
                Assert.True(registered.Status == HttpStatusCode.OK && registered.Response!.MachineAuthorized, registered.Text);
                Assert.Equal(HttpStatusCode.OK, (await b.Node.RegisterAsync(key)).Status);
                Assert.True(await a.Node.StartMapPollAsync() == HttpStatusCode.OK, a.Node.LastError);
                Assert.True(await b.Node.StartMapPollAsync() == HttpStatusCode.OK, b.Node.LastError);

                Assert.True(await a.Node.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Name == "pg-b.tailnet.internal."), Wait), a.Node.LastError);
                Assert.True(await b.Node.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Name == "pg-a.tailnet.internal."), Wait), b.Node.LastError);
                selfA = a.Node.Self!;
                selfB = b.Node.Self!;
            }

            first.Terminate();
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.False(File.Exists(Path.Combine(data, "appliance.db")), "on PostgreSQL no SQLite database is created");

        using var second = ApplianceProcess.Start(serve, environment);
        Assert.True(await Http.WaitForHealthAsync(server, second, TimeSpan.FromSeconds(60)) == "ok", second.Stdout + second.Stderr);
        var listed = await Cli(environment, "nodes", "list", "--data-dir", data);
        Assert.True(listed.Code == 0, listed.Out + listed.Err);
        Assert.Contains("pg-a", listed.Out, StringComparison.Ordinal);
        Assert.Contains("pg-b", listed.Out, StringComparison.Ordinal);

        // Node A comes back with its machine key (a new node key, as after a client restart with a fresh state): it
        // is the same node, with the same addresses, and it sees B as it was.
        var again = await Cli(environment, "preauthkeys", "create", "--user", "alice", "--expiration", "1h", "--data-dir", data);
        await using (var a = await ConnectAsync(server, machineA, "pg-a"))
        {
            var registered = await a.Node.RegisterAsync(again.Out.Trim());
            Assert.True(registered.Status == HttpStatusCode.OK, registered.Text);
            Assert.True(await a.Node.StartMapPollAsync() == HttpStatusCode.OK, a.Node.LastError);
            Assert.True(await a.Node.WaitUntilAsync(n => n.Self is not null && n.Peers.Count == 1, Wait), a.Node.LastError);

            Assert.Equal(selfA.ID, a.Node.Self!.ID);
            Assert.Equal(selfA.Addresses, a.Node.Self.Addresses);
            var peer = Assert.Single(a.Node.Peers.Values);
            Assert.Equal(selfB.ID, peer.ID);
            Assert.Equal(selfB.Addresses, peer.Addresses);
            Assert.Equal(selfB.Key, peer.Key);
        }

        second.Terminate();
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    public void Dispose() => _temp.Dispose();

    private static async Task<(int Code, string Out, string Err)> Cli(Dictionary<string, string> environment, params string[] args)
    {
        var (code, stdout, stderr) = await ApplianceProcess.RunAsync(args, environment);
        return (code, stdout, stderr);
    }

    private static async Task<Client> ConnectAsync(Uri server, MachinePrivate machine, string hostname)
    {
        var serverKey = await NoiseControlClient.FetchServerKeyAsync(server, CapabilityVersion.TestClient);
        var noise = await NoiseControlClient.ConnectAsync(server, machine, serverKey, CapabilityVersion.TestClient);
        return new Client(noise, new TestNode(noise.Http, noise.MachineKey, hostname));
    }

    private sealed record Client(NoiseControlClient Noise, TestNode Node) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            await Noise.DisposeAsync();
        }
    }
}
