using Appliance.State.Identity;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;

namespace Appliance.Benchmarks.Control;

/// <summary>
/// Builds an in-memory coordinator with N registered nodes (real registration path, in-memory storage). Addresses
/// are allocated at random: the sequential scan is O(N) per node, which made a 10,000-node setup O(N²).
/// </summary>
internal static class TailnetBuilder
{
    public static ControlCoordinator Build(int nodes, TimeSpan coalesce, out List<(MachinePublic Machine, NodePublic Node)> members)
    {
        var options = new CoordinatorOptions { CoalesceWindow = coalesce, SessionQueueCapacity = 1024, Allocation = AddressAllocation.Random };
        var users = new OneUser();
        var coordinator = new ControlCoordinator(options, new InMemoryNodeRepository(), users, new AnyKey(), StaticDerpMapProvider.Empty, new AllowAllPacketFilter(), TimeProvider.System);
        coordinator.Start();
        members = [];
        for (var i = 0; i < nodes; i++)
        {
            var machine = MachinePrivate.Generate().Public;
            var node = NodePrivate.Generate().Public;
            coordinator.Register(machine, new RegisterRequest
            {
                Version = 133,
                NodeKey = node,
                Auth = new RegisterResponseAuth { AuthKey = "k" },
                Hostinfo = new Hostinfo { Hostname = "node-" + i, OS = "linux", IPNVersion = "1.96.5" },
            });
            coordinator.ApplyMapRequest(machine, new MapRequest { Version = 133, NodeKey = node, DiscoKey = DiscoPublic.FromRaw(NodePrivate.Generate().Public.Raw), Endpoints = ["192.0.2.1:41641"] });
            members.Add((machine, node));
        }

        coordinator.Flush();
        return coordinator;
    }

    private sealed class OneUser : IUserDirectory
    {
        private readonly TailnetUser _user = new(1, "alice", "Alice", null, DateTimeOffset.UnixEpoch);

        public TailnetUser? Find(long id) => id == 1 ? _user : null;

        public TailnetUser? GetByName(string name) => name == "alice" ? _user : null;
    }

    private sealed class AnyKey : IPreAuthKeyAuthority
    {
        public PreAuthKeyUse Check(string presentedKey, DateTimeOffset now) =>
            new(PreAuthKeyCheck.Valid, new PreAuthKey(1, "k", 1, [], true, false, 0, now.AddDays(1), now, null));

        public ClaimedWrite<T> WriteClaiming<T>(PreAuthKey key, DateTimeOffset now, Func<WriteResult<T>> write)
            where T : class => new(PreAuthKeyCheck.Valid, write());
    }
}
