using System.Net;
using Appliance.Protocol.Keys;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Stores;
using Appliance.TestKit.Time;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.State.Tests.Support;

/// <summary>A migrated database in a temporary data folder, with services over it and a recording change sink.</summary>
public sealed class StateFixture : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly DataDirectory _directory;

    public StateFixture()
    {
        _directory = DataDirectory.Open(_folder.Combine("data"));
        Database = ApplianceDatabase.Open(_directory, Time);
        Identity = new IdentityService(Database, Time, Changes);
        Nodes = new NodeService(Database, Time, Changes, Presence);
        NodeStore = new NodeStore(Database);
    }

    public FakeTimeProvider Time { get; } = TestTime.Create();

    public RecordingChangeSink Changes { get; } = new();

    public FixedPresence Presence { get; } = new();

    public ApplianceDatabase Database { get; }

    public IdentityService Identity { get; }

    public NodeService Nodes { get; }

    public NodeStore NodeStore { get; }

    public UserRecord User(string name) => Identity.CreateUser(name).Value!;

    public NodeRecord Node(int n, long? userId, params string[] tags)
    {
        var raw = new byte[32];
        raw[0] = 0x10;
        raw[1] = (byte)n;
        var node = new NodeRecord
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
            RegisterMethod = NodeRegisterMethod.AuthKey,
        };
        return NodeStore.Insert(node).Row!;
    }

    public void Dispose()
    {
        Database.Dispose();
        _directory.Dispose();
        _folder.Dispose();
    }
}

public sealed class RecordingChangeSink : INodeChangeSink
{
    public List<long> Changed { get; } = [];

    public List<long> Removed { get; } = [];

    public void NodesChanged(IReadOnlyCollection<long> ids) => Changed.AddRange(ids);

    public void NodesRemoved(IReadOnlyCollection<long> ids) => Removed.AddRange(ids);
}

public sealed class FixedPresence : INodePresence
{
    public HashSet<long> Online { get; } = [];

    public bool? IsOnline(long nodeId) => Online.Contains(nodeId);
}
