using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.State.Tests.Coordinator;
using Appliance.State.Tests.Support;
using Appliance.Storage.Stores;
using Appliance.TestKit.Control;
using Microsoft.Data.Sqlite;

namespace Appliance.State.Tests.Commands;

/// <summary>
/// Issue 12: an operator's change racing the node's own map request. On the old code NodeService wrote the row and
/// queued a reload, and a map request landing in between wrote the coordinator's stale copy back with a full-row
/// UPDATE: tags came back as [] and an expired node stayed authorised (this test's first version failed exactly so).
/// Now both are commands on the coordinator's writer, each writing only its own columns; every interleaving we can
/// force ends with the database, the snapshot and a connected peer agreeing on both changes.
/// </summary>
public sealed class LostUpdateRaceTests
{
    public enum Order
    {
        CommandThenMapRequest,
        MapRequestThenCommand,
        MapRequestWhileCommandWrites,
        CommandWhileMapRequestWrites,
    }

    public static TheoryData<string, Order> Interleavings()
    {
        var data = new TheoryData<string, Order>();
        foreach (var change in new[] { "tags", "expire", "rename", "routes" })
        {
            foreach (var order in Enum.GetValues<Order>())
            {
                data.Add(change, order);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Interleavings))]
    public async Task An_operator_change_and_a_map_request_both_survive_every_interleaving(string change, Order order)
    {
        await using var h = await RaceHarness.StartAsync();
        OperationResult<TailnetNode> result = default;
        void Command() => result = change switch
        {
            "tags" => h.Nodes.SetTags(h.TargetId, ["tag:server"]),
            "expire" => h.Nodes.Expire(h.TargetId),
            "rename" => h.Nodes.Rename(h.TargetId, "renamed"),
            _ => h.Nodes.ApproveRoutes(h.TargetId, ["10.0.0.0/24"]),
        };
        void MapRequest() => Assert.Equal(MapRequestStatus.Ok, h.Coordinator.ApplyMapRequest(h.TargetMachine, new MapRequest
        {
            Version = 133, NodeKey = h.TargetKey, Endpoints = ["192.0.2.1:41641"], Hostinfo = new Hostinfo { Hostname = "laptop" },
        }).Status);

        switch (order)
        {
            case Order.CommandThenMapRequest:
                Command();
                MapRequest();
                break;
            case Order.MapRequestThenCommand:
                MapRequest();
                Command();
                break;
            case Order.MapRequestWhileCommandWrites:
                h.RaceInsideNextWrite(MapRequest);
                Command();
                break;
            case Order.CommandWhileMapRequestWrites:
                h.RaceInsideNextWrite(Command);
                MapRequest();
                break;
        }

        h.AwaitRacer();
        Assert.True(result.IsOk, result.Error);
        var stored = new SqliteNodeRepository(h.State.Database).Get(h.TargetId)!;
        var live = h.Coordinator.Snapshot.Find(h.TargetId)!;
        // The peer's stream is written after the commands publish: read until it shows what the snapshot holds (a
        // loaded machine can leave a gap longer than PeerViewAsync's quiet period between two deltas), then compare.
        var seen = (await h.PeerViewUntilAsync(h.TargetId, p => p.Endpoints is ["192.0.2.1:41641"] && p.Expired == live.Wire.Expired
            && p.Name == live.Wire.Name && (p.Tags ?? []).SequenceEqual(live.Wire.Tags ?? []))).Peers[h.TargetId];
        var now = h.State.Time.GetUtcNow();
        foreach (var record in new[] { stored, live.Record })
        {
            Assert.Equal(["192.0.2.1:41641"], record.Endpoints.Select(e => e.ToString()));
            switch (change)
            {
                case "tags":
                    Assert.Equal<string>(["tag:server"], record.Tags);
                    Assert.Null(record.UserId);
                    break;
                case "expire":
                    Assert.True(record.IsKeyExpired(now));
                    break;
                case "rename":
                    Assert.Equal("renamed", record.GivenName);
                    break;
                default:
                    Assert.Equal(["10.0.0.0/24"], record.ApprovedRoutes.Select(r => r.ToString()));
                    break;
            }
        }

        Assert.Equal(["192.0.2.1:41641"], seen.Endpoints);
        Assert.Equal(live.Wire.Tags, seen.Tags);
        Assert.Equal(live.Wire.Name, seen.Name);
        Assert.Equal(live.Wire.Expired, seen.Expired);
        Assert.Equal(live.Wire.KeyExpiry, seen.KeyExpiry);
        Assert.Equal(change == "expire", seen.Expired);
    }

    [Fact]
    public async Task A_command_the_database_refuses_fails_clearly_and_changes_nothing()
    {
        await using var h = await RaceHarness.StartAsync();
        var before = h.Coordinator.Snapshot;
        var row = new SqliteNodeRepository(h.State.Database).Get(h.TargetId);
        h.Repository.Failure = () => new SqliteException("attempt to write a readonly database", 8);

        OperationResult<TailnetNode>[] results =
        [
            h.Nodes.SetTags(h.TargetId, ["tag:server"]),
            h.Nodes.Expire(h.TargetId),
            h.Nodes.Rename(h.TargetId, "renamed"),
            h.Nodes.ApproveRoutes(h.TargetId, ["10.0.0.0/24"]),
            h.Nodes.Delete(h.TargetId),
        ];
        Assert.Equal(MapRequestStatus.StorageUnavailable, h.Coordinator.ApplyMapRequest(h.TargetMachine, new MapRequest
        {
            Version = 133, NodeKey = h.TargetKey, Endpoints = ["192.0.2.1:41641"],
        }).Status);

        Assert.All(results, r =>
        {
            Assert.Equal(OperationStatus.Unavailable, r.Status);
            Assert.Contains("nothing was changed", r.Error, StringComparison.Ordinal);
            Assert.Contains("readonly", r.Error, StringComparison.Ordinal);
        });
        Assert.Same(before, h.Coordinator.Snapshot);
        Assert.Equal(row, new SqliteNodeRepository(h.State.Database).Get(h.TargetId));
        Assert.Null(await h.Probe.Next(200));

        h.Repository.Failure = null;
        Assert.True(h.Nodes.SetTags(h.TargetId, ["tag:server"]).IsOk);
        Assert.Equal(["tag:server"], (await h.PeerViewAsync()).Peers[h.TargetId].Tags);
    }

    /// <summary>A coordinator over real SQLite (through a hookable repository), a target node and a connected peer.</summary>
    private sealed class RaceHarness : IAsyncDisposable
    {
        private readonly MapStreamHandle _peerStream;
        private readonly PeerTable _peerView = new();
        private Task? _racer;

        private RaceHarness(StateFixture state, HookedNodeRepository repository, ControlCoordinator coordinator)
        {
            State = state;
            Repository = repository;
            Coordinator = coordinator;
            Nodes = new NodeService(coordinator, new SqliteUserDirectory(state.Database));
            state.User("alice");
            var key = state.Identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", true, false, TimeSpan.FromHours(1), [])).Value!.Key;
            (TargetMachine, TargetKey, TargetId) = Register(key, "laptop");
            var (_, _, peerId) = Register(key, "peer");
            _peerStream = coordinator.Connect(peerId, zstd: false);
            Probe = new StreamProbe(_peerStream.Session);
        }

        public StateFixture State { get; }

        public HookedNodeRepository Repository { get; }

        public ControlCoordinator Coordinator { get; }

        public NodeService Nodes { get; }

        public MachinePublic TargetMachine { get; }

        public NodePublic TargetKey { get; }

        public long TargetId { get; }

        public StreamProbe Probe { get; }

        public static async Task<RaceHarness> StartAsync()
        {
            var state = new StateFixture();
            var repository = new HookedNodeRepository(new SqliteNodeRepository(state.Database));
            var coordinator = state.ServingCoordinator(nodes: repository);
            var harness = new RaceHarness(state, repository, coordinator);
            await harness.PeerViewAsync();
            return harness;
        }

        /// <summary>
        /// Starts <paramref name="racer"/> on another thread from inside the next repository write, and checks it is
        /// held back by the writer until that write's command has published.
        /// </summary>
        public void RaceInsideNextWrite(Action racer)
        {
            Repository.BeforeUpdate = (_, _) =>
            {
                _racer = Task.Run(racer);
                Assert.False(_racer.Wait(150), "the racing command ran while another held the writer");
            };
        }

        public void AwaitRacer()
        {
            if (_racer is not null)
            {
                Assert.True(_racer.Wait(TimeSpan.FromSeconds(10)), "the racing command never ran");
                _racer.GetAwaiter().GetResult();
            }
        }

        /// <summary>Everything the peer's stream has delivered so far, applied to its netmap.</summary>
        public async Task<PeerTable> PeerViewAsync()
        {
            while (await Probe.Next(_peerView.Messages == 0 ? 5000 : 300) is { } message)
            {
                _peerView.Apply(message);
            }

            return _peerView;
        }

        /// <summary>
        /// Reads the peer's stream until <paramref name="settled"/> holds for node <paramref name="id"/>, or for at
        /// most ten seconds; the caller's assertions then say what differs.
        /// </summary>
        public async Task<PeerTable> PeerViewUntilAsync(long id, Func<Node, bool> settled)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            await PeerViewAsync();
            while (!(_peerView.Peers.TryGetValue(id, out var peer) && settled(peer)) && DateTime.UtcNow < deadline
                && await Probe.Next(1000) is { } message)
            {
                _peerView.Apply(message);
            }

            return _peerView;
        }

        public async ValueTask DisposeAsync()
        {
            await Probe.DisposeAsync();
            _peerStream.Dispose();
            Coordinator.Dispose();
            State.Dispose();
        }

        private (MachinePublic, NodePublic, long) Register(string key, string hostname)
        {
            var machine = MachinePrivate.Generate().Public;
            var node = NodePrivate.Generate().Public;
            var outcome = Coordinator.Register(machine, new RegisterRequest
            {
                Version = 133, NodeKey = node, Auth = new RegisterResponseAuth { AuthKey = key }, Hostinfo = new Hostinfo { Hostname = hostname },
            });
            return (machine, node, outcome.Node!.Id);
        }
    }
}
