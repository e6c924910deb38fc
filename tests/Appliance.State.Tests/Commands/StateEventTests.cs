using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Policy;
using Appliance.State.Tests.Coordinator;
using Appliance.State.Tests.Support;
using Appliance.Storage.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.State.Tests.Commands;

/// <summary>Every change to the tailnet and every refusal is one structured event with its id from StateEvents.</summary>
public sealed class StateEventTests
{
    [Fact]
    public void Registrations_commands_refusals_and_policies_each_log_their_event()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var log = new ListLogger();
        var users = new FakeUsers();
        users.Add(new TailnetUser(1, "alice", null, null, time.GetUtcNow()));
        using var coordinator = new ControlCoordinator(
            new CoordinatorOptions { CoalesceWindow = TimeSpan.Zero }, new InMemoryNodeRepository(), users, new FakeKeys(),
            StaticDerpMapProvider.Empty, new AllowAllPacketFilter(), time, log);
        coordinator.Load();
        var machine = MachinePrivate.Generate().Public;
        var request = new RegisterRequest { Version = 133, NodeKey = NodePrivate.Generate().Public, Auth = new RegisterResponseAuth { AuthKey = "good" } };

        var id = coordinator.Register(machine, request).Node!.Id;
        coordinator.Register(machine, request with { NodeKey = NodePrivate.Generate().Public });
        coordinator.Register(MachinePrivate.Generate().Public, request with { NodeKey = NodePrivate.Generate().Public, Auth = new RegisterResponseAuth { AuthKey = "expired" } });
        coordinator.ApplyMapRequest(MachinePrivate.Generate().Public, new MapRequest { Version = 133, NodeKey = NodePrivate.Generate().Public });
        coordinator.SetNodeTags(id, ["tag:server"]);
        coordinator.ApproveNodeRoutes(id, ["10.0.0.0/24"]);
        coordinator.RenameNode(id, "Not A Label");
        coordinator.ExpireNode(id);
        coordinator.ApplyPolicy(new PolicySource("{ \"acls\": [ { \"action\": \"accept\", \"src\": [\"tag:nope\"], \"dst\": [\"*:*\"] } ] }", "test", null, ""));
        coordinator.ApplyPolicy(new PolicySource("{ \"acls\": [ { \"action\": \"accept\", \"src\": [\"*\"], \"dst\": [\"*:*\"] } ] }", "test", null, ""));
        coordinator.DeleteNode(id);

        Assert.Equal(
            [
                StateEvents.NodeRegisteredId,
                StateEvents.NodeReRegisteredId,
                StateEvents.RegistrationRefusedId,
                StateEvents.MapRequestRefusedId,
                StateEvents.NodeTaggedId,
                StateEvents.RoutesApprovedId,
                StateEvents.CommandRefusedId,
                StateEvents.NodeExpiredId,
                StateEvents.PolicyRefusedId,
                StateEvents.PolicyAppliedId,
                StateEvents.NodeDeletedId,
            ],
            log.Ids);
        Assert.Contains("authkey expired", log.Entries[2].Message, StringComparison.Ordinal);
        Assert.Contains("tag:server", log.Entries[4].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Event_ids_are_unique()
    {
        var ids = typeof(StateEvents).GetFields()
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .Select(f => (int)f.GetValue(null)!)
            .ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
