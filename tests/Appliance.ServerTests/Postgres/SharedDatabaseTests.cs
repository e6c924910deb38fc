using System.Diagnostics;
using System.Globalization;
using System.Net;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.ServerTests.Support;
using Appliance.TestKit.Control;
using Appliance.TestKit.Noise;
using Appliance.TestKit.Postgres;
using Xunit.Abstractions;

namespace Appliance.ServerTests.Postgres;

/// <summary>
/// Issue 17: several `appliance serve` processes on one real PostgreSQL database (docs/ops/ha.md is this set-up:
/// one data folder per instance, the same APPLIANCE_DATABASE_* everywhere). Clients of each instance see each other;
/// a change made through one reaches the clients of the others (latency printed); two operators racing on two
/// instances get one outcome everywhere; an instance killed with SIGKILL loses no node (its clients reconnect to
/// another and keep their addresses and peers, and its leftover clients go offline once the others see its liveness lock go); a
/// PostgreSQL restart under load loses no committed change.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class SharedDatabaseTests(PostgresCluster cluster, ITestOutputHelper output) : IClassFixture<PostgresCluster>, IDisposable
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(45);

    private readonly TempFolder _temp = new();
    private readonly List<Instance> _instances = [];
    private readonly List<IAsyncDisposable> _clients = [];

    [Fact]
    public async Task Three_instances_serve_one_tailnet_and_survive_the_loss_of_one()
    {
        var environment = Environment(cluster.CreateDatabase("ha"));
        var a = await StartAsync("a", environment);
        var (b, c) = (await StartAsync("b", environment), await StartAsync("c", environment));
        var key = await PreAuthKeyAsync(a, environment);

        // One client on each instance, and one more on A that will not come back after A dies.
        var onA = await JoinAsync(a, key, "ha-a");
        var onB = await JoinAsync(b, key, "ha-b");
        var onC = await JoinAsync(c, key, "ha-c");
        var leftOnA = await JoinAsync(a, key, "ha-left");
        var everyone = new[] { onA, onB, onC, leftOnA };
        foreach (var client in everyone)
        {
            Assert.True(await client.Node.WaitUntilAsync(n => n.Peers.Count == 3 && n.Peers.Values.All(p => p.Online == true), Converge),
                $"{client.Node.Hostname} sees {Describe(client.Node)}; {client.Node.LastError}");
        }

        // A change through A (an operator rename on A's admin socket) reaches B's and C's clients.
        var cId = onC.Node.Self!.ID;
        var watch = Stopwatch.StartNew();
        Assert.Equal(0, (await Cli(environment, "nodes", "rename", Id(cId), "renamed-c", "--data-dir", a.Data)).Code);
        var committed = watch.Elapsed;
        Assert.True(await onB.Node.WaitUntilAsync(n => n.Peer(cId)?.Name.StartsWith("renamed-c.", StringComparison.Ordinal) == true, Converge), Describe(onB.Node));
        output.WriteLine($"operator rename on A reached a client of B {(watch.Elapsed - committed).TotalMilliseconds:F0} ms after the CLI returned ({watch.Elapsed.TotalMilliseconds:F0} ms with the CLI's own start)");
        Assert.True(await onC.Node.WaitUntilAsync(n => n.Self?.Name.StartsWith("renamed-c.", StringComparison.Ordinal) == true, Converge), Describe(onC.Node));

        // A map request's endpoints, sent to B, reach A's client.
        watch.Restart();
        Assert.Equal(HttpStatusCode.OK, await onB.Node.SendLiteUpdateAsync(["192.0.2.7:41641"]));
        var bId = onB.Node.Self!.ID;
        Assert.True(await onA.Node.WaitUntilAsync(n => n.Peer(bId)?.Endpoints?.Contains("192.0.2.7:41641") == true, Converge), Describe(onA.Node));
        output.WriteLine($"endpoint change sent to B reached a client of A after {watch.Elapsed.TotalMilliseconds:F0} ms");

        // A policy set through A (a new policy_versions row) is reloaded by B and reaches B's client as its filter.
        var policy = _temp.Combine("policy.hujson");
        await File.WriteAllTextAsync(policy, """{"acls": [{"action": "accept", "src": ["*"], "dst": ["*:2222"]}]}""");
        watch.Restart();
        var set = await Cli(environment, "policy", "set", policy, "--data-dir", a.Data);
        Assert.True(set.Code == 0, set.Out + set.Err);
        committed = watch.Elapsed;
        Assert.True(await onB.Node.WaitUntilAsync(n => n.PacketFilters.Values.SelectMany(r => r).Any(r => r.DstPorts?.Any(d => d.Ports.First == 2222) == true), Converge),
            string.Join("; ", onB.Node.PacketFilters.Select(f => f.Key + ": " + f.Value.Count)));
        output.WriteLine($"policy set on A reached a client of B {(watch.Elapsed - committed).TotalMilliseconds:F0} ms after the CLI returned");

        // Two operators on two instances give two nodes the same name at once: the database lets one win, and every
        // client sees the same result.
        var aId = onA.Node.Self!.ID;
        var race = await Task.WhenAll(
            Cli(environment, "nodes", "rename", Id(aId), "contested", "--data-dir", a.Data),
            Cli(environment, "nodes", "rename", Id(bId), "contested", "--data-dir", b.Data));
        Assert.Single(race, r => r.Code == 0);
        var winner = race[0].Code == 0 ? aId : bId;
        var loser = winner == aId ? bId : aId;
        foreach (var client in new[] { onA, onB, onC })
        {
            Assert.True(await client.Node.WaitUntilAsync(n => NameOf(n, winner).StartsWith("contested.", StringComparison.Ordinal)
                && !NameOf(n, loser).StartsWith("contested.", StringComparison.Ordinal), Converge), Describe(client.Node));
        }

        // SIGKILL A. Its client reconnects through B with the same machine and node key: same node, same addresses, same peers.
        var before = onA.Node.Self!;
        a.Process.Signal("KILL");
        await a.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        watch.Restart();
        var back = await ConnectAsync(b, onA.Machine, "ha-a", onA.Node.NodeKey);
        Assert.True(await back.Node.StartMapPollAsync() == HttpStatusCode.OK, back.Node.LastError);
        Assert.True(await back.Node.WaitUntilAsync(n => n.Self is not null && n.Peers.Count == 3, Converge), Describe(back.Node));
        output.WriteLine($"A's client reconnected through B and had its map after {watch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(before.ID, back.Node.Self!.ID);
        Assert.Equal(before.Addresses, back.Node.Self.Addresses);
        Assert.Equal(onA.Node.Peers.Keys.Order(), back.Node.Peers.Keys.Order());

        // The client left behind on A goes offline everywhere once B or C sees A's liveness lock go (CrashWatch); the moved one stays online.
        var leftId = leftOnA.Node.Self!.ID;
        watch.Restart();
        Assert.True(await onC.Node.WaitUntilAsync(n => n.Peer(leftId)?.Online == false && n.Peer(aId)?.Online == true, Converge), Describe(onC.Node));
        output.WriteLine($"the node left on the killed instance went offline on C after {watch.Elapsed.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task A_postgres_restart_under_load_loses_no_committed_change()
    {
        var environment = Environment(cluster.CreateDatabase("harestart"));
        var a = await StartAsync("a", environment);
        var b = await StartAsync("b", environment);
        var key = await PreAuthKeyAsync(a, environment);
        var onA = await JoinAsync(a, key, "load-a");
        var onB = await JoinAsync(b, key, "load-b");
        Assert.True(await onA.Node.WaitUntilAsync(n => n.Peers.Count == 1, Converge), Describe(onA.Node));
        var bId = onB.Node.Self!.ID;

        // B's client keeps reporting new endpoints while PostgreSQL restarts; remember the last one B accepted (200:
        // committed). Some requests fail while the server is down; none may be lost once accepted.
        using var stop = new CancellationTokenSource();
        var lastAccepted = 0;
        var load = Task.Run(async () =>
        {
            for (var port = 1; !stop.IsCancellationRequested; port++)
            {
                try
                {
                    if (await onB.Node.SendLiteUpdateAsync([$"192.0.2.9:{port}"]) == HttpStatusCode.OK)
                    {
                        Volatile.Write(ref lastAccepted, port);
                    }
                }
                catch (HttpRequestException)
                {
                }

                await Task.Delay(50);
            }
        });

        await Task.Delay(1000);
        cluster.Restart();
        await Task.Delay(3000);
        await stop.CancelAsync();
        await load;
        var last = Volatile.Read(ref lastAccepted);
        Assert.True(last > 0, "no endpoint update was accepted");

        var expected = $"192.0.2.9:{last}";
        Assert.True(await onA.Node.WaitUntilAsync(n => n.Peer(bId)?.Endpoints?.SequenceEqual([expected]) == true, Converge),
            $"expected {expected}; {Describe(onA.Node)}");

        // Every liveness lock dropped with the restart, the watchers' own connections too: nobody was declared crashed
        // (event 5031), so no node went offline for it (decision 0097).
        Assert.DoesNotContain("lost its database connection", a.Process.Stdout + b.Process.Stdout, StringComparison.Ordinal);

        // And the instances work on: a change through A after the restart reaches B's client.
        var aId = onA.Node.Self!.ID;
        Assert.Equal(0, (await Cli(environment, "nodes", "rename", Id(aId), "after-restart", "--data-dir", a.Data)).Code);
        Assert.True(await onB.Node.WaitUntilAsync(n => n.Peer(aId)?.Name.StartsWith("after-restart.", StringComparison.Ordinal) == true, Converge), Describe(onB.Node));
        Assert.True(await Http.WaitForHealthAsync(a.Server, a.Process, TimeSpan.FromSeconds(5)) == "ok");

        // `appliance backup` archives the SQLite file: on PostgreSQL it says so instead of "no database".
        var backup = await Cli(environment, "backup", "create", "--data-dir", a.Data);
        Assert.Equal(1, backup.Code);
        Assert.Contains("the tailnet is in PostgreSQL", backup.Err, StringComparison.Ordinal);
        Assert.Contains("pg_dump", backup.Err, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        foreach (var instance in _instances)
        {
            instance.Process.Dispose();
        }

        _temp.Dispose();
    }

    // The cluster key file gives every instance the same Noise key (docs/ops/ha.md); instances with different keys refuse to join.
    private Dictionary<string, string> Environment(string connection) => new()
    {
        ["APPLIANCE_LOG_FILE"] = "off",
        ["APPLIANCE_DATABASE_TYPE"] = "postgres",
        ["APPLIANCE_DATABASE_CONNECTION"] = connection,
        ["APPLIANCE_DATABASE_CLUSTER_KEY_FILE"] = _temp.Combine("cluster.key"),
    };

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string NameOf(TestNode node, long id) => node.Self?.ID == id ? node.Self.Name : node.Peer(id)?.Name ?? "";

    private static string Describe(TestNode node) =>
        $"self {node.Self?.Name} {node.Self?.ID}; peers: " + string.Join(", ", node.Peers.Values.Select(p => $"{p.ID} {p.Name} online={p.Online} ep={string.Join('|', p.Endpoints ?? [])}"));

    private async Task<Instance> StartAsync(string name, Dictionary<string, string> environment)
    {
        var data = _temp.Combine("data-" + name);
        var port = FreePort.Next();
        var server = new Uri($"http://127.0.0.1:{port}");
        var process = ApplianceProcess.Start(["serve", "--data-dir", data, "--listen", $"127.0.0.1:{port}"], environment);
        var instance = new Instance(process, data, server);
        _instances.Add(instance);
        Assert.True(await Http.WaitForHealthAsync(server, process, TimeSpan.FromSeconds(90)) == "ok", process.Stdout + process.Stderr);
        return instance;
    }

    private static async Task<string> PreAuthKeyAsync(Instance instance, Dictionary<string, string> environment)
    {
        Assert.Equal(0, (await Cli(environment, "users", "create", "alice", "--data-dir", instance.Data)).Code);
        var created = await Cli(environment, "preauthkeys", "create", "--user", "alice", "--reusable", "--expiration", "1h", "--data-dir", instance.Data);
        Assert.True(created.Code == 0, created.Out + created.Err);
        return created.Out.Trim();
    }

    private async Task<Client> JoinAsync(Instance instance, string key, string hostname)
    {
        var client = await ConnectAsync(instance, MachinePrivate.Generate(), hostname, null);
        var registered = await client.Node.RegisterAsync(key);
        Assert.True(registered.Status == HttpStatusCode.OK && registered.Response!.MachineAuthorized, registered.Text);
        Assert.True(await client.Node.StartMapPollAsync() == HttpStatusCode.OK, client.Node.LastError);
        return client;
    }

    private async Task<Client> ConnectAsync(Instance instance, MachinePrivate machine, string hostname, NodePrivate? nodeKey)
    {
        var serverKey = await NoiseControlClient.FetchServerKeyAsync(instance.Server, CapabilityVersion.TestClient);
        var noise = await NoiseControlClient.ConnectAsync(instance.Server, machine, serverKey, CapabilityVersion.TestClient);
        var node = nodeKey is { } known
            ? new TestNode(noise.Http, noise.MachineKey, hostname, known)
            : new TestNode(noise.Http, noise.MachineKey, hostname);
        var client = new Client(noise, node, machine);
        _clients.Add(client);
        return client;
    }

    private static async Task<(int Code, string Out, string Err)> Cli(Dictionary<string, string> environment, params string[] args)
    {
        var (code, stdout, stderr) = await ApplianceProcess.RunAsync(args, environment);
        return (code, stdout, stderr);
    }

    private sealed record Instance(ApplianceProcess Process, string Data, Uri Server);

    private sealed record Client(NoiseControlClient Noise, TestNode Node, MachinePrivate Machine) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Node.DisposeAsync();
            await Noise.DisposeAsync();
        }
    }
}
