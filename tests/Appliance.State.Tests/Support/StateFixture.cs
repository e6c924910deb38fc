using System.Net;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Stores;
using Appliance.TestKit.Time;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.State.Tests.Support;

/// <summary>
/// A migrated database in a temporary data folder, with a direct coordinator over it (the CLI's command path) and
/// the operator services on that coordinator.
/// </summary>
public sealed class StateFixture : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly DataDirectory _directory;

    /// <param name="dataPath">Where the data folder goes (a test's own file system); a temporary folder by default.</param>
    public StateFixture(string? dataPath = null)
    {
        _directory = DataDirectory.Open(dataPath ?? _folder.Combine("data"));
        Database = ApplianceDatabase.Open(_directory, Time);
        Coordinator = DirectCoordinator.Open(Database, Time);
        Identity = new IdentityService(Database, Time, Coordinator);
        Nodes = new NodeService(Coordinator, new SqliteUserDirectory(Database), Presence);
        Stored = new SqliteNodeRepository(Database);
    }

    public ControlCoordinator Coordinator { get; }

    public FakeTimeProvider Time { get; } = TestTime.Create();

    public FixedPresence Presence { get; } = new();

    public ApplianceDatabase Database { get; }

    public IdentityService Identity { get; }

    public NodeService Nodes { get; }

    /// <summary>What the database holds (read past the coordinator, to check what reached it).</summary>
    public SqliteNodeRepository Stored { get; }

    public TailnetUser User(string name) => Identity.CreateUser(name).Value!;

    /// <summary>
    /// A loaded coordinator over this database as the server wires it (SQLite repositories, the identity's pre-auth
    /// keys, no DERP map, allow-all filter), for tests of the serving path rather than the CLI's direct one.
    /// </summary>
    public ControlCoordinator ServingCoordinator(TimeSpan? coalesce = null, INodeRepository? nodes = null)
    {
        var coordinator = new ControlCoordinator(
            new CoordinatorOptions { CoalesceWindow = coalesce ?? TimeSpan.Zero },
            nodes ?? new SqliteNodeRepository(Database),
            new SqliteUserDirectory(Database),
            new IdentityPreAuthKeyAuthority(Identity),
            StaticDerpMapProvider.Empty,
            new AllowAllPacketFilter(),
            Time);
        coordinator.Load();
        return coordinator;
    }

    public TailnetNode Node(int n, long? userId, params string[] tags)
    {
        var raw = new byte[32];
        raw[0] = 0x10;
        raw[1] = (byte)n;
        var node = new TailnetNode
        {
            MachineKey = MachinePublic.FromRaw(raw),
            NodeKey = NodePublic.FromRaw(raw.Reverse().ToArray()),
            Hostname = $"host-{n}",
            GivenName = $"host-{n}",
            UserId = userId,
            Tags = [.. tags],
            IPv4 = IPAddress.Parse($"100.64.0.{n}"),
            CreatedAt = Time.GetUtcNow(),
            UpdatedAt = Time.GetUtcNow(),
            RegisterMethod = RegistrationMethod.AuthKey,
        };
        var stored = Stored.Insert(node).Row!;

        // Seeded straight into the table (no operator command makes nodes), so the coordinator re-loads it.
        Coordinator.Load();
        return stored;
    }

    public void Dispose()
    {
        Coordinator.Dispose();
        Database.Dispose();
        _directory.Dispose();
        _folder.Dispose();
    }
}

public sealed class FixedPresence : INodePresence
{
    public HashSet<long> Online { get; } = [];

    public bool? IsOnline(long nodeId) => Online.Contains(nodeId);
}
