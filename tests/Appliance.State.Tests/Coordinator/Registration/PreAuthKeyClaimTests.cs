using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Tests.Support;

namespace Appliance.State.Tests.Coordinator.Registration;

/// <summary>
/// Issue 12: a pre-auth key's use and the node it registers are one transaction. A node write the database refuses
/// (full, read-only, a trigger here) leaves the key as it was, so a single-use key registers once space is back;
/// two registrations racing on one single-use key still give exactly one node. Real SQLite, real stores.
/// </summary>
public sealed class PreAuthKeyClaimTests
{
    [Fact]
    public void A_refused_node_insert_does_not_burn_a_single_use_key()
    {
        using var state = new StateFixture();
        using var coordinator = Coordinator(state);
        state.User("alice");
        var key = state.Identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", false, false, TimeSpan.FromHours(1), [])).Value!;

        RegisterOutcome refused;
        using (new InjectedRefusal(state.Database, "nodes"))
        {
            refused = Register(coordinator, key.Key, "laptop");
        }

        Assert.Equal(RegisterStatus.Unavailable, refused.Status);
        Assert.Contains("nothing was changed", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, UsedCount(state, key));
        Assert.Empty(coordinator.Snapshot.Nodes);
        Assert.Empty(state.Stored.LoadAll());

        var admitted = Register(coordinator, key.Key, "laptop");
        Assert.Equal(RegisterStatus.Ok, admitted.Status);
        Assert.True(admitted.Response!.MachineAuthorized, admitted.Response.Error);
        Assert.Equal(1, UsedCount(state, key));

        var second = Register(coordinator, key.Key, "phone");
        Assert.Equal("authkey already used", second.Response!.Error);
        Assert.Single(state.Stored.LoadAll());
    }

    [Fact]
    public void A_refused_insert_counts_no_use_of_a_reusable_or_ephemeral_key_either()
    {
        using var state = new StateFixture();
        using var coordinator = Coordinator(state);
        state.User("alice");
        var reusable = state.Identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", true, false, TimeSpan.FromHours(1), [])).Value!;
        var ephemeral = state.Identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", false, true, TimeSpan.FromHours(1), [])).Value!;

        using (new InjectedRefusal(state.Database, "nodes"))
        {
            Assert.Equal(RegisterStatus.Unavailable, Register(coordinator, reusable.Key, "a").Status);
            Assert.Equal(RegisterStatus.Unavailable, Register(coordinator, ephemeral.Key, "b").Status);
        }

        Assert.Equal(0, UsedCount(state, reusable));
        Assert.Equal(0, UsedCount(state, ephemeral));
        Assert.True(Register(coordinator, reusable.Key, "a").Response!.MachineAuthorized);
        Assert.True(Register(coordinator, reusable.Key, "c").Response!.MachineAuthorized);
        var node = Register(coordinator, ephemeral.Key, "b");
        Assert.True(node.Response!.MachineAuthorized);
        Assert.True(node.Node!.Record.Ephemeral);
        Assert.Equal(2, UsedCount(state, reusable));
        Assert.Equal(1, UsedCount(state, ephemeral));
    }

    [Fact]
    public void A_unique_conflict_on_re_registration_does_not_burn_the_key()
    {
        using var state = new StateFixture();
        using var coordinator = Coordinator(state);
        state.User("alice");
        var first = state.Identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", true, false, TimeSpan.FromHours(1), [])).Value!;
        var once = state.Identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", false, false, TimeSpan.FromHours(1), [])).Value!;
        var machine = MachinePrivate.Generate().Public;
        var nodeKey = NodePrivate.Generate().Public;
        Assert.True(Register(coordinator, first.Key, "laptop", machine, nodeKey).Response!.MachineAuthorized);

        // Another appliance's row (seeded past this coordinator) already holds the node key this machine now presents.
        var taken = state.Node(9, state.Identity.ListUsers().Single().Id).NodeKey;

        var conflict = Register(coordinator, once.Key, "laptop", machine, taken);
        Assert.Equal(RegisterStatus.Conflict, conflict.Status);
        Assert.Equal(0, UsedCount(state, once));
    }

    [Fact]
    public async Task Registrations_racing_on_one_single_use_key_give_exactly_one_node()
    {
        using var state = new StateFixture();
        using var coordinator = Coordinator(state);
        state.User("alice");
        var key = state.Identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", false, false, TimeSpan.FromHours(1), [])).Value!;

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(() => Register(coordinator, key.Key, $"racer-{i}"))));

        Assert.Single(outcomes, o => o.Response?.MachineAuthorized == true);
        Assert.All(outcomes.Where(o => o.Response?.MachineAuthorized != true), o => Assert.Equal("authkey already used", o.Response!.Error));
        Assert.Single(state.Stored.LoadAll());
        Assert.Single(coordinator.Snapshot.Nodes);
        Assert.Equal(1, UsedCount(state, key));
    }

    private static ControlCoordinator Coordinator(StateFixture state) => state.ServingCoordinator();

    private static RegisterOutcome Register(ControlCoordinator coordinator, string key, string hostname, MachinePublic machine = default, NodePublic node = default) =>
        coordinator.Register(machine.IsZero ? MachinePrivate.Generate().Public : machine, new RegisterRequest
        {
            Version = 133,
            NodeKey = node.IsZero ? NodePrivate.Generate().Public : node,
            Auth = new RegisterResponseAuth { AuthKey = key },
            Hostinfo = new Hostinfo { Hostname = hostname },
        });

    private static long UsedCount(StateFixture state, CreatedPreAuthKey key) =>
        state.Identity.ListPreAuthKeys().Value!.Single(k => k.Prefix == key.Record.Prefix).UsedCount;
}
