using System.Diagnostics;
using System.Globalization;
using System.Net;
using Appliance.ServerTests.Support;
using Appliance.TestKit.Control;
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
public sealed class SharedDatabaseTests(PostgresCluster cluster, ITestOutputHelper output) : IClassFixture<PostgresCluster>
{
    private static readonly TimeSpan Converge = SharedDatabaseInstances.Converge;

    [Fact]
    public async Task Three_instances_serve_one_tailnet_and_survive_the_loss_of_one()
    {
        await using var ha = new SharedDatabaseInstances(cluster, "ha");
        var a = await ha.StartAsync("a");
        var (b, c) = (await ha.StartAsync("b"), await ha.StartAsync("c"));
        var key = await ha.PreAuthKeyAsync(a);

        // One client on each instance, and one more on A that will not come back after A dies.
        var onA = await ha.JoinAsync(a, key, "ha-a");
        var onB = await ha.JoinAsync(b, key, "ha-b");
        var onC = await ha.JoinAsync(c, key, "ha-c");
        var leftOnA = await ha.JoinAsync(a, key, "ha-left");
        var everyone = new[] { onA, onB, onC, leftOnA };
        foreach (var client in everyone)
        {
            Assert.True(await client.Node.WaitUntilAsync(n => n.Peers.Count == 3 && n.Peers.Values.All(p => p.Online == true), Converge),
                $"{client.Node.Hostname} sees {Describe(client.Node)}; {client.Node.LastError}");
        }

        // A change through A (an operator rename on A's admin socket) reaches B's and C's clients.
        var cId = onC.Node.Self!.ID;
        var watch = Stopwatch.StartNew();
        Assert.Equal(0, (await ha.Cli("nodes", "rename", Id(cId), "renamed-c", "--data-dir", a.Data)).Code);
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
        var policy = ha.Temp.Combine("policy.hujson");
        await File.WriteAllTextAsync(policy, """{"acls": [{"action": "accept", "src": ["*"], "dst": ["*:2222"]}]}""");
        watch.Restart();
        var set = await ha.Cli("policy", "set", policy, "--data-dir", a.Data);
        Assert.True(set.Code == 0, set.Out + set.Err);
        committed = watch.Elapsed;
        Assert.True(await onB.Node.WaitUntilAsync(n => n.PacketFilters.Values.SelectMany(r => r).Any(r => r.DstPorts?.Any(d => d.Ports.First == 2222) == true), Converge),
            string.Join("; ", onB.Node.PacketFilters.Select(f => f.Key + ": " + f.Value.Count)));
        output.WriteLine($"policy set on A reached a client of B {(watch.Elapsed - committed).TotalMilliseconds:F0} ms after the CLI returned");

        // Two operators on two instances give two nodes the same name at once: the database lets one win, and every
        // client sees the same result.
        var aId = onA.Node.Self!.ID;
        var race = await Task.WhenAll(
            ha.Cli("nodes", "rename", Id(aId), "contested", "--data-dir", a.Data),
            ha.Cli("nodes", "rename", Id(bId), "contested", "--data-dir", b.Data));
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
        await SharedDatabaseInstances.KillAsync(a);
        watch.Restart();
        var back = await ha.ConnectAsync(b, onA.Machine, "ha-a", onA.Node.NodeKey);
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
        await using var ha = new SharedDatabaseInstances(cluster, "harestart");
        var a = await ha.StartAsync("a");
        var b = await ha.StartAsync("b");
        var key = await ha.PreAuthKeyAsync(a);
        var onA = await ha.JoinAsync(a, key, "load-a");
        var onB = await ha.JoinAsync(b, key, "load-b");
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
        Assert.DoesNotContain("lost its database connection", a.Process!.Stdout + b.Process!.Stdout, StringComparison.Ordinal);

        // And the instances work on: a change through A after the restart reaches B's client.
        var aId = onA.Node.Self!.ID;
        Assert.Equal(0, (await ha.Cli("nodes", "rename", Id(aId), "after-restart", "--data-dir", a.Data)).Code);
        Assert.True(await onB.Node.WaitUntilAsync(n => n.Peer(aId)?.Name.StartsWith("after-restart.", StringComparison.Ordinal) == true, Converge), Describe(onB.Node));
        Assert.True(await Http.WaitForHealthAsync(a.Server, a.Process!, TimeSpan.FromSeconds(5)) == "ok");

        // `appliance backup` archives the SQLite file: on PostgreSQL it says so instead of "no database".
        var backup = await ha.Cli("backup", "create", "--data-dir", a.Data);
        Assert.Equal(1, backup.Code);
        Assert.Contains("the tailnet is in PostgreSQL", backup.Err, StringComparison.Ordinal);
        Assert.Contains("pg_dump", backup.Err, StringComparison.Ordinal);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string NameOf(TestNode node, long id) => node.Self?.ID == id ? node.Self.Name : node.Peer(id)?.Name ?? "";

    private static string Describe(TestNode node) =>
        $"self {node.Self?.Name} {node.Self?.ID}; peers: " + string.Join(", ", node.Peers.Values.Select(p => $"{p.ID} {p.Name} online={p.Online} ep={string.Join('|', p.Endpoints ?? [])}"));
}
