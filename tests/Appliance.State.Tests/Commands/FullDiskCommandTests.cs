using System.Globalization;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.State.Policy;
using Appliance.State.Tests.Coordinator;
using Appliance.State.Tests.Support;
using Appliance.TestKit.Control;

namespace Appliance.State.Tests.Commands;

/// <summary>
/// Issue 12, "Bad input and faults": a command while the database cannot be written. The data folder is on a real
/// full file system (TestKit's FullDisk: a tmpfs filled until ENOSPC), so SQLite itself refuses, through the real
/// stores. Every kind of command (users, pre-auth keys, node verbs, a policy version) must fail with a clear error,
/// change nothing in the database or the snapshot, and tell a connected peer nothing; once space is freed the same
/// commands work and the peer learns them. LostUpdateRaceTests covers the node verbs with a simulated refusal.
/// </summary>
[Trait("Category", "Root")]
public sealed class FullDiskCommandTests
{
    private const string Policy = """{"acls": [{"action": "accept", "src": ["*"], "dst": ["*:*"]}]}""";
    private const string OtherPolicy = """{"acls": [{"action": "accept", "src": ["*"], "dst": ["*:22"]}]}""";

    [Fact]
    public async Task Every_command_on_a_full_disk_fails_clearly_changes_nothing_and_tells_no_peer()
    {
        using var disk = new FullDisk("8m");
        using var state = new StateFixture(disk.Combine("data"));
        using var coordinator = state.ServingCoordinator();
        var identity = new IdentityService(state.Database, state.Time, coordinator);
        var nodes = new NodeService(coordinator, new SqliteUserDirectory(state.Database));
        var policies = new PolicyVersions(state.Database, coordinator, state.Time);

        Assert.True(identity.CreateUser("alice").IsOk);
        var key = identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", true, false, TimeSpan.FromHours(1), [])).Value!;
        var once = identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", false, false, TimeSpan.FromHours(1), [])).Value!;
        var (targetMachine, targetKey, target) = Register(coordinator, key.Key, "laptop");
        var (_, _, peer) = Register(coordinator, key.Key, "peer");
        Assert.True(policies.Record(Policy, "test").IsOk);
        using var stream = coordinator.Connect(peer, zstd: false);
        await using var probe = new StreamProbe(stream.Session);
        var view = new PeerTable();
        view.Apply(await probe.Next() ?? throw new InvalidOperationException("the peer's stream sent no first map"));
        while (await probe.Next(200) is { } more)
        {
            view.Apply(more);
        }

        var snapshot = coordinator.Snapshot;
        var stored = Dump(identity, state, policies);
        var filler = disk.Fill();

        (string Command, OperationStatus Status, string? Error)[] refused =
        [
            Outcome("users create", identity.CreateUser("bob")),
            Outcome("users rename", identity.RenameUser("alice", "carol")),
            Outcome("users delete --force", identity.DeleteUser("alice", force: true)),
            Outcome("preauthkeys create", identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", false, false, TimeSpan.FromHours(1), []))),
            Outcome("preauthkeys expire", identity.ExpirePreAuthKey(key.Record.Prefix)),
            Outcome("preauthkeys delete", identity.DeletePreAuthKey(key.Record.Prefix)),
            Outcome("nodes tag", nodes.SetTags(target, ["tag:server"])),
            Outcome("nodes expire", nodes.Expire(target)),
            Outcome("nodes rename", nodes.Rename(target, "renamed")),
            Outcome("nodes routes approve", nodes.ApproveRoutes(target, ["198.51.100.0/24"])),
            Outcome("nodes delete", nodes.Delete(target)),
            Outcome("policy set", policies.Record(OtherPolicy, "test")),
        ];

        Assert.All(refused, r =>
        {
            Assert.True(r.Status == OperationStatus.Unavailable, $"{r.Command}: {r.Status} ({r.Error})");
            Assert.Contains("the database refused the write", r.Error, StringComparison.Ordinal);
            Assert.Contains("nothing was changed", r.Error, StringComparison.Ordinal);
        });

        // A client's own writes (a registration using a key, a map request's endpoints) are refused as Unavailable
        // (Control answers 503 with Retry-After; the client retries): nothing changed, not even the single-use key.
        Assert.Equal(RegisterStatus.Unavailable, Registration(coordinator, key.Key, "third").Status);
        Assert.Equal(RegisterStatus.Unavailable, Registration(coordinator, once.Key, "fourth").Status);
        Assert.Equal(MapRequestStatus.StorageUnavailable, coordinator.ApplyMapRequest(targetMachine, new MapRequest
        {
            Version = 133, NodeKey = targetKey, Endpoints = ["192.0.2.1:41641"],
        }).Status);

        Assert.Same(snapshot, coordinator.Snapshot);
        Assert.Null(await probe.Next(300));

        File.Delete(filler);
        Assert.Equal(stored, Dump(identity, state, policies));
        Assert.True(nodes.SetTags(target, ["tag:server"]).IsOk);
        Assert.True(identity.CreateUser("bob").IsOk);
        view.Apply(await probe.Next() ?? throw new InvalidOperationException("the peer was not told the tag change"));
        Assert.Equal(["tag:server"], view.Peers[target].Tags);
        Assert.True(Registration(coordinator, once.Key, "fourth").Response!.MachineAuthorized);
    }

    private static (string, OperationStatus, string?) Outcome<T>(string command, OperationResult<T> result) => (command, result.Status, result.Error);

    /// <summary>What the database holds, as text: users, pre-auth keys, node rows and policy versions.</summary>
    private static string Dump(IdentityService identity, StateFixture state, PolicyVersions policies) => string.Join(
        "\n",
        [
            .. identity.ListUsers().Select(u => $"user {u.Id} {u.Name}"),
            .. identity.ListPreAuthKeys().Value!.Select(k => $"key {k.Prefix} used {k.UsedCount} expires {k.ExpiresAt:O} revoked {k.RevokedAt:O}"),
            .. new SqliteNodeRepository(state.Database).LoadAll().Select(n => string.Create(
                CultureInfo.InvariantCulture,
                $"node {n.Id} {n.GivenName} user {n.UserId} tags [{string.Join(',', n.Tags)}] expiry {n.KeyExpiry:O} routes [{string.Join(',', n.ApprovedRoutes)}] endpoints [{string.Join(',', n.Endpoints)}] updated {n.UpdatedAt:O}")),
            .. policies.List().Select(p => $"policy {p.Id} {p.Sha256}"),
        ]);

    private static (MachinePublic Machine, NodePublic Key, long Id) Register(ControlCoordinator coordinator, string key, string hostname)
    {
        var machine = MachinePrivate.Generate().Public;
        var node = NodePrivate.Generate().Public;
        var outcome = Registration(coordinator, key, hostname, machine, node);
        return (machine, node, outcome.Node!.Id);
    }

    private static RegisterOutcome Registration(ControlCoordinator coordinator, string key, string hostname, MachinePublic machine = default, NodePublic node = default) =>
        coordinator.Register(machine.IsZero ? MachinePrivate.Generate().Public : machine, new RegisterRequest
        {
            Version = 133,
            NodeKey = node.IsZero ? NodePrivate.Generate().Public : node,
            Auth = new RegisterResponseAuth { AuthKey = key },
            Hostinfo = new Hostinfo { Hostname = hostname },
        });
}
