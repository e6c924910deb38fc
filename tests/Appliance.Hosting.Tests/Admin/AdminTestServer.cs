using System.Net;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Policy;
using Appliance.State.Nodes;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Stores;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Tests.Admin;

/// <summary>
/// A minimal web app serving the admin API on `&lt;data&gt;/admin.sock` and on an ephemeral loopback TCP port (as
/// `serve` does), over a real locked data folder and database, with a recording node change sink.
/// </summary>
public sealed class AdminTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminTestServer(WebApplication app, Uri tcpAddress, DataDirectory directory, ApplianceDatabase database, RecordingSink changes)
    {
        _app = app;
        TcpAddress = tcpAddress;
        Directory = directory;
        Database = database;
        Changes = changes;
    }

    public DataDirectory Directory { get; }

    public ApplianceDatabase Database { get; }

    public RecordingSink Changes { get; }

    public Uri TcpAddress { get; }

    public static async Task<AdminTestServer> StartAsync(string dataDir)
    {
        var directory = DataDirectory.Open(dataDir);
        var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var changes = new RecordingSink();
        var builder = LoopbackHost.CreateBuilder(kestrel: kestrel => kestrel.ListenUnixSocket(directory.AdminSocketPath));
        builder.Services.AddApplianceStorage(directory, database);
        builder.Services.AddSingleton<INodeChangeSink>(changes);
        builder.Services.AddSingleton<IPolicyAdministration>(new StoredPolicyAdministration(database, TimeProvider.System, policyFile: null));
        builder.Services.AddAdminApi();
        var app = builder.Build();
        app.MapAdminApi();
        var host = await LoopbackHost.StartAsync(app);
        return new AdminTestServer(app, host.BaseUri(), directory, database, changes);
    }

    public NodeRecord AddNode(int n, long? userId, params string[] tags) => new NodeStore(Database).Insert(NewNode(n, userId, tags)).Row!;

    public static NodeRecord NewNode(int n, long? userId, params string[] tags)
    {
        var raw = new byte[32];
        raw[0] = 0x42;
        raw[1] = (byte)n;
        var now = DateTimeOffset.UtcNow;
        return new NodeRecord
        {
            MachineKey = Appliance.Protocol.Keys.MachinePublic.FromRaw(raw),
            NodeKey = Appliance.Protocol.Keys.NodePublic.FromRaw(raw.Reverse().ToArray()),
            Hostname = $"host-{n}",
            GivenName = $"host-{n}",
            UserId = userId,
            Tags = [.. tags],
            IPv4 = IPAddress.Parse($"100.64.0.{n}"),
            CreatedAt = now,
            UpdatedAt = now,
            RegisterMethod = NodeRegisterMethod.AuthKey,
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Database.Dispose();
        Directory.Dispose();
    }

    public sealed class RecordingSink : INodeChangeSink
    {
        private readonly List<long> _changed = [];
        private readonly List<long> _removed = [];

        public IReadOnlyList<long> Changed
        {
            get
            {
                lock (_changed)
                {
                    return [.. _changed];
                }
            }
        }

        public IReadOnlyList<long> Removed
        {
            get
            {
                lock (_removed)
                {
                    return [.. _removed];
                }
            }
        }

        public void NodesChanged(IReadOnlyCollection<long> ids)
        {
            lock (_changed)
            {
                _changed.AddRange(ids);
            }
        }

        public void NodesRemoved(IReadOnlyCollection<long> ids)
        {
            lock (_removed)
            {
                _removed.AddRange(ids);
            }
        }
    }
}
