using System.Net;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Policy;
using Appliance.State.Coordinator;
using Appliance.State.Policy;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.Storage.Stores;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Tests.Admin;

/// <summary>
/// A minimal web app serving the admin API on `&lt;data&gt;/admin.sock` and on an ephemeral loopback TCP port (as
/// `serve` does), over a real locked data folder and database, with a coordinator over that database (the writer
/// the admin API's commands run on) that tests can inspect.
/// </summary>
public sealed class AdminTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminTestServer(WebApplication app, DataDirectory directory, ApplianceDatabase database, ControlCoordinator coordinator)
    {
        _app = app;
        Directory = directory;
        Database = database;
        Coordinator = coordinator;
    }

    public DataDirectory Directory { get; }

    public ApplianceDatabase Database { get; }

    public ControlCoordinator Coordinator { get; }

    public Uri TcpAddress =>
        new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single(a => a.StartsWith("http://127.", StringComparison.Ordinal)));

    public static async Task<AdminTestServer> StartAsync(string dataDir)
    {
        var directory = DataDirectory.Open(dataDir);
        var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var coordinator = DirectCoordinator.Open(database, TimeProvider.System);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.ListenUnixSocket(directory.AdminSocketPath);
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        builder.Services.AddApplianceStorage(directory, database);
        builder.Services.AddSingleton(coordinator);
        builder.Services.AddSingleton<IPolicyAdministration>(new StoredPolicyAdministration(database, new PolicyVersions(database, coordinator, TimeProvider.System), policyFile: null));
        builder.Services.AddAdminApi();
        var app = builder.Build();
        app.MapAdminApi();
        await app.StartAsync();
        return new AdminTestServer(app, directory, database, coordinator);
    }

    public NodeRecord AddNode(int n, long? userId, params string[] tags) => Add(NewNode(n, userId, tags));

    /// <summary>Seeds a node row (nodes are made by registration, not by an operator command) and re-loads the coordinator.</summary>
    public NodeRecord Add(NodeRecord node)
    {
        var stored = new NodeStore(Database).Insert(node).Row!;
        Coordinator.Load();
        return stored;
    }

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
        Coordinator.Dispose();
        Database.Dispose();
        Directory.Dispose();
    }
}
