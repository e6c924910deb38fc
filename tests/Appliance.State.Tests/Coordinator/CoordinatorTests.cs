using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.TestKit.Control;

namespace Appliance.State.Tests.Coordinator;

public sealed class CoordinatorTests
{
    [Fact]
    public void A_valid_key_registers_a_node_with_addresses_name_and_default_expiry()
    {
        using var f = new CoordinatorFixture();
        var (_, nodeKey, outcome) = f.Register("Node A");
        Assert.Equal(RegisterStatus.Ok, outcome.Status);
        Assert.True(outcome.Response!.MachineAuthorized);
        Assert.Equal("alice", outcome.Response.Login.LoginName);
        var entry = f.Coordinator.Snapshot.FindByNodeKey(nodeKey)!;
        Assert.Equal("node-a", entry.Record.GivenName);
        Assert.Equal("node-a.tailnet.internal.", entry.Wire.Name);
        Assert.Equal(["100.64.0.1/32", "fd7a:115c:a1e0::1/128"], entry.Wire.Addresses);
        Assert.Equal(f.Time.GetUtcNow().AddDays(180), entry.Record.KeyExpiry);
        Assert.Single(f.Repository.LoadAll());
    }

    [Theory]
    [InlineData("expired", "authkey expired")]
    [InlineData("nope", "invalid authkey")]
    public void A_bad_key_gets_an_error_and_creates_no_node(string key, string error)
    {
        using var f = new CoordinatorFixture();
        var (_, _, outcome) = f.Register("x", key);
        Assert.Equal(error, outcome.Response!.Error);
        Assert.Empty(f.Coordinator.Snapshot.Nodes);
        Assert.Empty(f.Repository.LoadAll());
    }

    [Fact]
    public void A_single_use_key_works_once()
    {
        using var f = new CoordinatorFixture();
        Assert.Equal("", f.Register("a", "once").Outcome.Response!.Error);
        Assert.Equal("authkey already used", f.Register("b", "once").Outcome.Response!.Error);
        Assert.Single(f.Coordinator.Snapshot.Nodes);
    }

    [Fact]
    public void Two_nodes_get_distinct_addresses_and_suffixed_names()
    {
        using var f = new CoordinatorFixture();
        f.Register("web");
        f.Register("web");
        var nodes = f.Coordinator.Snapshot.Nodes.Values.ToList();
        Assert.Equal(["web", "web-1"], nodes.Select(n => n.Record.GivenName));
        Assert.NotEqual(nodes[0].Record.IPv4, nodes[1].Record.IPv4);
        Assert.NotEqual(nodes[0].Record.IPv6, nodes[1].Record.IPv6);
    }

    [Fact]
    public void A_tagged_key_makes_a_tagged_node_that_never_expires()
    {
        using var f = new CoordinatorFixture();
        var (_, key, _) = f.Register("srv", "tagged");
        var entry = f.Coordinator.Snapshot.FindByNodeKey(key)!;
        Assert.Null(entry.Record.KeyExpiry);
        Assert.Equal(["tag:server"], entry.Wire.Tags);
        Assert.Equal(NodeProjection.TaggedDevicesUserId, entry.Wire.User);
    }

    [Fact]
    public void A_known_node_key_from_another_machine_is_refused()
    {
        using var f = new CoordinatorFixture();
        var (_, nodeKey, _) = f.Register("a");
        var outcome = f.Coordinator.Register(MachinePrivate.Generate().Public, new RegisterRequest { Version = 133, NodeKey = nodeKey });
        Assert.Equal(RegisterStatus.Unauthorized, outcome.Status);
    }

    [Fact]
    public void A_restart_re_registration_returns_current_state_without_a_key()
    {
        using var f = new CoordinatorFixture();
        var (machine, nodeKey, _) = f.Register("a", "once");
        var again = f.Coordinator.Register(machine, new RegisterRequest { Version = 133, NodeKey = nodeKey, Auth = new RegisterResponseAuth { AuthKey = "once" } });
        Assert.True(again.Response!.MachineAuthorized);
        Assert.Equal("", again.Response.Error);
        Assert.Single(f.Coordinator.Snapshot.Nodes);
    }

    [Fact]
    public void Logout_with_a_past_expiry_wins_over_a_used_single_use_key()
    {
        using var f = new CoordinatorFixture();
        var (machine, nodeKey, _) = f.Register("a", "once");
        var logout = f.Coordinator.Register(machine, new RegisterRequest
        {
            Version = 133,
            NodeKey = nodeKey,
            Auth = new RegisterResponseAuth { AuthKey = "once" },
            Expiry = DateTimeOffset.FromUnixTimeSeconds(123),
        });
        Assert.True(logout.Response!.NodeKeyExpired);
        Assert.Equal("", logout.Response.Error);
        var entry = f.Coordinator.Snapshot.FindByNodeKey(nodeKey)!;
        Assert.Equal(f.Time.GetUtcNow(), entry.Record.KeyExpiry);
        Assert.True(entry.Wire.Expired);
    }

    [Fact]
    public void Rotation_through_old_node_key_replaces_the_key_on_the_same_node()
    {
        using var f = new CoordinatorFixture();
        var (machine, oldKey, first) = f.Register("a");
        var newKey = NodePrivate.Generate().Public;
        var rotated = f.Coordinator.Register(machine, new RegisterRequest { Version = 133, NodeKey = newKey, OldNodeKey = oldKey });
        Assert.True(rotated.Response!.MachineAuthorized);
        Assert.Null(f.Coordinator.Snapshot.FindByNodeKey(oldKey));
        Assert.Equal(first.Node!.Id, f.Coordinator.Snapshot.FindByNodeKey(newKey)!.Id);
    }

    [Fact]
    public async Task The_first_stream_message_is_a_full_map_with_node_and_peers()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        f.Register("b");
        var entry = f.Coordinator.Snapshot.FindByNodeKey(a.Node)!;
        using var handle = f.Coordinator.Connect(entry.Id, zstd: true);
        await using var probe = new StreamProbe(handle.Session);
        var first = await probe.Next();
        Assert.NotNull(first!.Node);
        Assert.True(first.Node.MachineAuthorized);
        Assert.Equal("b", Assert.Single(first.Peers!).Hostinfo!.Hostname);
        Assert.NotNull(first.DERPMap);
        Assert.True(first.DNSConfig!.Proxied);
        var rule = Assert.Single(first.PacketFilters!["base"]!);
        Assert.Equal(["*"], rule.SrcIPs);
        Assert.Equal(65535, Assert.Single(rule.DstPorts!).Ports.Last);
        Assert.Equal("alice", Assert.Single(first.UserProfiles!).LoginName);
        Assert.True(first.Debug!.DisableLogTail);
    }

    [Fact]
    public async Task An_endpoint_change_reaches_peers_as_a_patch()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        var b = f.Register("b");
        var aId = f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id;
        var bId = f.Coordinator.Snapshot.FindByNodeKey(b.Node)!.Id;
        using var handle = f.Coordinator.Connect(aId, zstd: true);
        await using var probe = new StreamProbe(handle.Session);
        Assert.NotNull((await probe.Next())!.Node);

        var applied = f.Coordinator.ApplyMapRequest(b.Machine, new MapRequest { Version = 133, NodeKey = b.Node, Endpoints = ["192.0.2.1:41641"], OmitPeers = true });
        Assert.Equal(MapRequestStatus.Ok, applied.Status);
        var delta = await probe.Next();
        var patch = Assert.Single(delta!.PeersChangedPatch!);
        Assert.Equal(bId, patch.NodeID);
        Assert.Equal(["192.0.2.1:41641"], patch.Endpoints);
        Assert.Null(delta.Node);
    }

    [Fact]
    public void A_map_request_with_another_machines_node_key_is_refused()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        var outcome = f.Coordinator.ApplyMapRequest(MachinePrivate.Generate().Public, new MapRequest { Version = 133, NodeKey = a.Node });
        Assert.Equal(MapRequestStatus.MachineKeyMismatch, outcome.Status);
    }

    [Fact]
    public async Task Expire_and_delete_reach_peers_and_delete_ends_the_nodes_own_stream()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        var b = f.Register("b");
        var aId = f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id;
        var bId = f.Coordinator.Snapshot.FindByNodeKey(b.Node)!.Id;
        using var ha = f.Coordinator.Connect(aId, zstd: true);
        using var hb = f.Coordinator.Connect(bId, zstd: false);
        await using var pa = new StreamProbe(ha.Session);
        await using var pb = new StreamProbe(hb.Session);
        await pa.Next();
        await pb.Next();
        await pa.Next(); // b's OnlineChange

        Assert.Equal(NodeOperationStatus.Ok, f.Coordinator.Expire(bId));
        var expired = await pa.Next();
        Assert.True(Assert.Single(expired!.PeersChanged!).Expired);
        var self = await pb.Next();
        Assert.True(self!.Node!.KeyExpiry <= f.Time.GetUtcNow());

        Assert.Equal(NodeOperationStatus.Ok, f.Coordinator.Delete(bId));
        Assert.Equal([bId], (await pa.Next())!.PeersRemoved);
        Assert.Null(await pb.Next(500));
        Assert.True(pb.Ended);
        Assert.DoesNotContain(f.Repository.LoadAll(), r => r.Id == bId);
    }

    [Fact]
    public async Task A_stream_far_behind_catches_up_with_one_merged_delta_not_a_full_map()
    {
        using var f = new CoordinatorFixture(queueCapacity: 2);
        var a = f.Register("a");
        var b = f.Register("b");
        var aId = f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id;
        var bId = f.Coordinator.Snapshot.FindByNodeKey(b.Node)!.Id;
        using var handle = f.Coordinator.Connect(aId, zstd: true);
        await using var probe = new StreamProbe(handle.Session);
        var view = new PeerTable();
        view.Apply((await probe.Next())!);
        for (var i = 1; i <= 10; i++)
        {
            f.Coordinator.ApplyMapRequest(b.Machine, new MapRequest { NodeKey = b.Node, Endpoints = [$"192.0.2.1:{i}"] });
        }

        var next = (await probe.Next())!;
        Assert.Null(next.Node);
        Assert.Null(next.DERPMap);
        view.Apply(next);
        Assert.Equal(["192.0.2.1:10"], view.Peers[bId].Endpoints);
        Assert.Equal(0, handle.Session.Resyncs);
    }

    [Fact]
    public async Task Idle_streams_get_keep_alives_from_the_heartbeat()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        using var handle = f.Coordinator.Connect(f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id, zstd: true);
        await using var probe = new StreamProbe(handle.Session);
        await probe.Next();
        f.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Null(await probe.Next(100));
        f.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await probe.Next())!.KeepAlive);
    }

    [Fact]
    public void An_offline_ephemeral_node_is_deleted_after_the_timeout()
    {
        using var f = new CoordinatorFixture();
        var e = f.Register("temp", "ephemeral");
        var id = f.Coordinator.Snapshot.FindByNodeKey(e.Node)!.Id;
        using (f.Coordinator.Connect(id, zstd: true))
        {
            f.Time.Advance(TimeSpan.FromHours(1));
            Assert.NotNull(f.Coordinator.Snapshot.Find(id));
        }

        f.Time.Advance(TimeSpan.FromMinutes(29));
        Assert.NotNull(f.Coordinator.Snapshot.Find(id));
        f.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(f.Coordinator.Snapshot.Find(id));
    }

    [Fact]
    public async Task Interactive_registration_completes_when_an_operator_approves()
    {
        using var f = new CoordinatorFixture();
        var machine = MachinePrivate.Generate().Public;
        var request = new RegisterRequest { Version = 133, NodeKey = NodePrivate.Generate().Public, Hostinfo = new Hostinfo { Hostname = "laptop" } };
        var first = f.Coordinator.Register(machine, request);
        var url = first.Response!.AuthURL;
        Assert.StartsWith("http://127.0.0.1:8080/register/", url, StringComparison.Ordinal);

        var followup = f.Coordinator.Register(machine, request with { Followup = url });
        Assert.NotNull(followup.Pending);
        Assert.Equal(ApprovalStatus.UserNotFound, f.Coordinator.ApproveRegistration(followup.Pending.Id, "mallory"));
        Assert.Equal(ApprovalStatus.Approved, f.Coordinator.ApproveRegistration(followup.Pending.Id, "alice"));
        var done = await followup.Pending.Completion;
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Equal("laptop", Assert.Single(f.Coordinator.Snapshot.Nodes).Value.Record.GivenName);
    }

    [Fact]
    public void Rename_changes_the_magic_dns_name_and_refuses_collisions()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        f.Register("b");
        var id = f.Coordinator.Snapshot.FindByNodeKey(a.Node)!.Id;
        Assert.Equal(NodeOperationStatus.Conflict, f.Coordinator.Rename(id, "b"));
        Assert.Equal(NodeOperationStatus.InvalidName, f.Coordinator.Rename(id, "not valid"));
        Assert.Equal(NodeOperationStatus.Ok, f.Coordinator.Rename(id, "printer"));
        Assert.Equal("printer.tailnet.internal.", f.Coordinator.Snapshot.Find(id)!.Wire.Name);
    }

    [Fact]
    public void A_restarted_coordinator_loads_nodes_from_the_repository()
    {
        using var f = new CoordinatorFixture();
        var a = f.Register("a");
        using var second = new ControlCoordinator(f.Options, f.Repository, f.Users, f.Keys, StaticDerpMapProvider.Empty, new AllowAllPacketFilter(), f.Time);
        second.Start();
        var entry = second.Snapshot.FindByNodeKey(a.Node)!;
        Assert.Equal("a", entry.Record.GivenName);
        Assert.False(entry.Online);
    }
}
