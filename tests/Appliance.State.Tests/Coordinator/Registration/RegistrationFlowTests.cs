using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Nodes;

namespace Appliance.State.Tests.Coordinator;

/// <summary>
/// The registration flow on its own (<see cref="ControlCoordinator.Registrations"/>): each decision either publishes
/// exactly one snapshot version with the row the repository stored, or changes nothing.
/// </summary>
public sealed class RegistrationFlowTests
{
    [Fact]
    public void A_valid_key_stores_the_node_and_publishes_it_in_one_version()
    {
        using var f = new CoordinatorFixture();
        var flow = f.Coordinator.Registrations;
        var before = f.Coordinator.Snapshot.Version;
        var machine = MachinePrivate.Generate().Public;
        var key = NodePrivate.Generate().Public;

        var outcome = flow.Register(machine, Request(key, "good", "laptop"));

        Assert.Equal(RegisterStatus.Ok, outcome.Status);
        Assert.True(outcome.Response!.MachineAuthorized);
        Assert.Equal("alice", outcome.Response.Login!.LoginName);
        var snapshot = f.Coordinator.Snapshot;
        Assert.Equal(before + 1, snapshot.Version);
        var entry = snapshot.FindByNodeKey(key)!;
        Assert.Same(entry, snapshot.FindByMachineKey(machine));
        Assert.Equal(RegistrationMethod.AuthKey, entry.Record.RegisterMethod);
        Assert.Equal(Assert.Single(f.Repository.LoadAll()), entry.Record);
    }

    [Theory]
    [InlineData("expired", "authkey expired")]
    [InlineData("unknown", "invalid authkey")]
    public void A_refused_key_answers_the_reason_and_changes_nothing(string presented, string error)
    {
        using var f = new CoordinatorFixture();
        var before = f.Coordinator.Snapshot;

        var outcome = f.Coordinator.Registrations.Register(MachinePrivate.Generate().Public, Request(NodePrivate.Generate().Public, presented, "laptop"));

        Assert.Equal(RegisterStatus.Ok, outcome.Status);
        Assert.Equal(error, outcome.Response!.Error);
        Assert.Null(outcome.Node);
        Assert.Same(before, f.Coordinator.Snapshot);
        Assert.Empty(f.Repository.LoadAll());
    }

    [Fact]
    public void A_node_key_bound_to_another_machine_is_refused_without_a_write()
    {
        using var f = new CoordinatorFixture();
        var (_, key, _) = f.Register("first");
        var before = f.Coordinator.Snapshot;

        var outcome = f.Coordinator.Registrations.Register(MachinePrivate.Generate().Public, Request(key, "good", "thief"));

        Assert.Equal(RegisterStatus.Unauthorized, outcome.Status);
        Assert.Same(before, f.Coordinator.Snapshot);
        Assert.Single(f.Repository.LoadAll());
    }

    [Fact]
    public void Rotation_rebinds_the_node_to_the_new_key_in_the_snapshot_and_the_row()
    {
        using var f = new CoordinatorFixture();
        var (machine, oldKey, registered) = f.Register("laptop");
        var newKey = NodePrivate.Generate().Public;

        var outcome = f.Coordinator.Registrations.Register(machine, new RegisterRequest { Version = 133, NodeKey = newKey, OldNodeKey = oldKey });

        Assert.Equal(RegisterStatus.Ok, outcome.Status);
        var snapshot = f.Coordinator.Snapshot;
        Assert.Null(snapshot.FindByNodeKey(oldKey));
        Assert.Equal(registered.Node!.Id, snapshot.FindByNodeKey(newKey)!.Id);
        Assert.Equal(newKey, Assert.Single(f.Repository.LoadAll()).NodeKey);
    }

    [Fact]
    public void Logout_expires_a_node_now_and_removes_an_ephemeral_one()
    {
        using var f = new CoordinatorFixture();
        var (machine, key, kept) = f.Register("laptop");
        var (ephemeralMachine, ephemeralKey, _) = f.Register("ci", key: "ephemeral");
        f.Time.Advance(TimeSpan.FromMinutes(1));
        var now = f.Time.GetUtcNow();
        var logout = new RegisterRequest { Version = 133, Expiry = DateTimeOffset.UnixEpoch.AddSeconds(123) };

        var expired = f.Coordinator.Registrations.Register(machine, logout with { NodeKey = key });
        var removed = f.Coordinator.Registrations.Register(ephemeralMachine, logout with { NodeKey = ephemeralKey });

        Assert.True(expired.Response!.NodeKeyExpired);
        Assert.True(removed.Response!.NodeKeyExpired);
        var row = Assert.Single(f.Repository.LoadAll());
        Assert.Equal(kept.Node!.Id, row.Id);
        Assert.Equal(now, row.KeyExpiry);
        Assert.True(f.Coordinator.Snapshot.Find(row.Id)!.Record.IsKeyExpired(now));
        Assert.Null(f.Coordinator.Snapshot.FindByMachineKey(ephemeralMachine));
    }

    [Fact]
    public void The_coordinator_forwards_its_registration_members_to_its_one_flow()
    {
        using var f = new CoordinatorFixture();
        var machine = MachinePrivate.Generate().Public;
        var request = new RegisterRequest { Version = 133, NodeKey = NodePrivate.Generate().Public, Hostinfo = new Hostinfo { Hostname = "desk" } };

        var url = f.Coordinator.Register(machine, request).Response!.AuthURL;

        Assert.Same(f.Coordinator.Registrations, f.Coordinator.Registrations);
        Assert.Equal(url, Assert.Single(f.Coordinator.Registrations.ListPending()).AuthUrl.ToString());
        Assert.Equal(ApprovalStatus.Approved, f.Coordinator.Registrations.Approve(url, "alice").Status);
        Assert.Empty(f.Coordinator.ListPending());
        Assert.Equal(RegistrationMethod.Interactive, Assert.Single(f.Repository.LoadAll()).RegisterMethod);
    }

    private static RegisterRequest Request(NodePublic key, string authKey, string hostname) => new()
    {
        Version = 133,
        NodeKey = key,
        Auth = new RegisterResponseAuth { AuthKey = authKey },
        Hostinfo = new Hostinfo { Hostname = hostname },
    };
}
