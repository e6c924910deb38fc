using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.State.Tests.Coordinator;
using Appliance.State.Tests.Support;
using Appliance.Storage.Stores;
using Appliance.TestKit.Control;

namespace Appliance.State.Tests.Commands;

/// <summary>
/// Issue 12's stress test: simulated operators (expire, rename, tag, approve routes, delete, user commands) and
/// nodes (map requests with new endpoints, disco keys and hostinfo) all at once against one coordinator over real
/// SQLite, with every node holding a map stream. Afterwards the database, the snapshot and what every stream last
/// delivered agree exactly.
/// </summary>
public sealed class CommandStressTests
{
    private const int NodeCount = 10;
    private const int Operators = 4;
    private const int StepsEach = 40;

    [Fact]
    [Trait("Category", "Stress")]
    public async Task Operators_and_nodes_racing_leave_the_database_the_snapshot_and_every_stream_in_agreement()
    {
        using var state = new StateFixture();
        using var coordinator = state.ServingCoordinator(coalesce: TimeSpan.FromMilliseconds(5));
        var identity = new IdentityService(state.Database, state.Time, coordinator);
        var nodes = new NodeService(coordinator, new SqliteUserDirectory(state.Database));
        identity.CreateUser("alice");
        var key = identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", true, false, TimeSpan.FromHours(1), [])).Value!.Key;

        var members = new List<(MachinePublic Machine, NodePublic Key, long Id)>();
        for (var i = 0; i < NodeCount + 2; i++)
        {
            var machine = MachinePrivate.Generate().Public;
            var nodeKey = NodePrivate.Generate().Public;
            var outcome = coordinator.Register(machine, new RegisterRequest
            {
                Version = 133, NodeKey = nodeKey, Auth = new RegisterResponseAuth { AuthKey = key }, Hostinfo = new Hostinfo { Hostname = $"n{i}" },
            });
            members.Add((machine, nodeKey, outcome.Node!.Id));
        }

        // The first NodeCount nodes hold streams; the last two exist only to be deleted by operators.
        using var stop = new CancellationTokenSource();
        var streams = members.Take(NodeCount).Select(m => new Stream(coordinator.Connect(m.Id, zstd: false), m.Id)).ToList();
        var readers = streams.Select(s => s.ReadUntil(stop.Token)).ToList();

        var ids = members.Select(m => m.Id).ToArray();
        var operators = Enumerable.Range(0, Operators).Select(o => Task.Run(() =>
        {
            var random = new Random(1000 + o);
            for (var step = 0; step < StepsEach; step++)
            {
                if (step == StepsEach / 2)
                {
                    // Two operators race to delete each unconnected node: one wins, the other gets NotFound.
                    nodes.Delete(ids[NodeCount + (o % 2)]);
                    continue;
                }

                var id = ids[random.Next(NodeCount)];
                _ = random.Next(6) switch
                {
                    0 => nodes.Expire(id).Status,
                    1 => nodes.Rename(id, $"name-{random.Next(6)}").Status,
                    2 => nodes.SetTags(id, random.Next(2) == 0 ? ["tag:a"] : ["tag:b", "tag:c"]).Status,
                    3 => nodes.ApproveRoutes(id, [$"10.{random.Next(4)}.0.0/16"]).Status,
                    4 => identity.CreateUser($"user-{o}-{step}").Status,
                    _ => identity.RenameUser("alice", "alice").Status,
                };
            }
        })).ToList();
        var requesters = members.Take(NodeCount).Select((m, n) => Task.Run(() =>
        {
            var random = new Random(2000 + n);
            for (var step = 0; step < StepsEach; step++)
            {
                var status = coordinator.ApplyMapRequest(m.Machine, new MapRequest
                {
                    Version = 133,
                    NodeKey = m.Key,
                    DiscoKey = random.Next(3) == 0 ? DiscoPublic.FromRaw(NodePrivate.Generate().Public.Raw) : default,
                    Endpoints = [$"192.0.2.{random.Next(1, 250)}:{40000 + step}"],
                    Hostinfo = random.Next(4) == 0 ? new Hostinfo { Hostname = $"n{n}", OS = $"os-{step}" } : null,
                }).Status;
                Assert.Equal(MapRequestStatus.Ok, status);
            }
        })).ToList();

        await Task.WhenAll(operators.Concat(requesters));
        coordinator.Flush();
        await WaitForQuiet(streams);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        var snapshot = coordinator.Snapshot;
        var stored = new SqliteNodeRepository(state.Database).LoadAll();
        Assert.Equal(stored.Select(r => r.Id), snapshot.Nodes.Keys.Order());
        Assert.DoesNotContain(ids[NodeCount], snapshot.Nodes.Keys);
        Assert.DoesNotContain(ids[NodeCount + 1], snapshot.Nodes.Keys);
        foreach (var row in stored)
        {
            var live = snapshot.Find(row.Id)!.Record;
            Assert.Equal(Facts(row), Facts(live));
        }

        foreach (var stream in streams)
        {
            var view = stream.View;
            Assert.Equal(snapshot.Nodes.Keys.Where(id => id != stream.NodeId).Order(), view.Peers.Keys.Order());
            foreach (var (id, peer) in view.Peers)
            {
                Assert.Equal(WireFacts(snapshot.Find(id)!.Wire), WireFacts(peer));
            }

            var self = snapshot.Find(stream.NodeId)!.Wire;
            Assert.Equal((self.Name, string.Join(",", self.Tags ?? []), self.KeyExpiry), (view.Self!.Name, string.Join(",", view.Self.Tags ?? []), view.Self.KeyExpiry));
        }

        foreach (var stream in streams)
        {
            await stream.DisposeAsync();
        }
    }

    private static string Facts(TailnetNode r) => string.Join(
        " | ",
        r.NodeKey,
        r.DiscoKey,
        r.Hostname,
        r.GivenName,
        r.UserId,
        string.Join(",", r.Tags),
        string.Join(",", r.Endpoints),
        r.HostinfoJson,
        string.Join(",", r.ApprovedRoutes),
        r.KeyExpiry?.ToUnixTimeMilliseconds());

    private static string WireFacts(Node n) => string.Join(
        " | ",
        n.Name,
        n.Key,
        n.DiscoKey,
        string.Join(",", n.Tags ?? []),
        string.Join(",", n.Endpoints ?? []),
        string.Join(",", n.AllowedIPs ?? []),
        n.KeyExpiry?.ToUnixTimeMilliseconds(),
        n.Expired,
        n.User,
        n.Hostinfo?.OS);

    private static async Task WaitForQuiet(List<Stream> streams)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var last = -1;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(400);
            var total = streams.Sum(s => s.Received);
            if (total == last && streams.All(s => s.Received > 0 && s.Pending == 0))
            {
                return;
            }

            last = total;
        }
    }

    /// <summary>One node's map stream and the netmap its client would hold.</summary>
    private sealed class Stream(MapStreamHandle handle, long nodeId) : IAsyncDisposable
    {
        private readonly StreamProbe _probe = new(handle.Session);
        private readonly PeerTable _view = new();
        private int _received;

        public long NodeId { get; } = nodeId;

        public int Received => Volatile.Read(ref _received);

        public int Pending => handle.Session.Pending;

        public PeerTable View => _view;

        public async Task ReadUntil(CancellationToken stop)
        {
            while (!stop.IsCancellationRequested)
            {
                if (await _probe.Next(100) is { } message)
                {
                    _view.Apply(message);
                    Interlocked.Increment(ref _received);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _probe.DisposeAsync();
            handle.Dispose();
        }
    }
}
