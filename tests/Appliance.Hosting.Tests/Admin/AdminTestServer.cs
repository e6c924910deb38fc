using System.Net;
using Appliance.Hosting.Admin;
using Appliance.Hosting.Policy;
using Appliance.State.Coordinator;
using Appliance.State.Nodes;
using Appliance.State.Policy;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Tests.Admin;

/// <summary>
/// A minimal web app serving the admin API on `&lt;data&gt;/admin.sock` and on an ephemeral loopback TCP port (as
/// `serve` does), over a real locked data folder and database, with a coordinator over that database (the writer
/// the admin API's commands run on) that tests can inspect.
/// </summary>
public sealed class AdminTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminTestServer(WebApplication app, Uri tcpAddress, DataDirectory directory, ApplianceDatabase database, ControlCoordinator coordinator)
    {
        _app = app;
        TcpAddress = tcpAddress;
        Directory = directory;
        Database = database;
        Coordinator = coordinator;
    }

    public DataDirectory Directory { get; }

    public ApplianceDatabase Database { get; }

    public ControlCoordinator Coordinator { get; }

    public Uri TcpAddress { get; }

    public static Task<AdminTestServer> StartAsync(string dataDir) => StartAsync(DataDirectory.Open(dataDir));

    /// <summary>Over a data folder the caller locked earlier (a service that took the lock and binds admin.sock later); the server owns it from now on.</summary>
    public static async Task<AdminTestServer> StartAsync(DataDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var database = ApplianceDatabase.Open(directory, TimeProvider.System);
        var coordinator = DirectCoordinator.Open(database, TimeProvider.System);
        var builder = LoopbackHost.CreateBuilder(kestrel: kestrel => kestrel.ListenUnixSocket(directory.AdminSocketPath));
        builder.Services.AddApplianceStorage(directory, database);
        // Admin verbs are recorded as in serve (docs/ops/audit.md).
        builder.Services.AddSingleton(Appliance.Hosting.Audit.AuditTrail.ForDataDirectory(
            directory.Path, TimeProvider.System, new Appliance.Storage.Audit.AuditAnchorStore(database), Appliance.Storage.Audit.AuditLogWriter.DefaultMaxFileBytes, logger: null));
        builder.Services.AddSingleton(coordinator);
        builder.Services.AddSingleton<IPolicyAdministration>(new StoredPolicyAdministration(database, new PolicyVersions(database, coordinator, TimeProvider.System), policyFile: null));
        builder.Services.AddAdminApi();
        var app = builder.Build();
        app.MapAdminApi();
        var host = await LoopbackHost.StartAsync(app);
        return new AdminTestServer(app, host.BaseUri(), directory, database, coordinator);
    }

    public TailnetNode AddNode(int n, long? userId, params string[] tags) => Add(NewNode(n, userId, tags));

    /// <summary>Seeds a node row (nodes are made by registration, not by an operator command) and re-loads the coordinator.</summary>
    public TailnetNode Add(TailnetNode node)
    {
        var stored = new SqliteNodeRepository(Database).Insert(node).Row!;
        Coordinator.Load();
        return stored;
    }

    public static TailnetNode NewNode(int n, long? userId, params string[] tags)
    {
        var raw = new byte[32];
        raw[0] = 0x42;
        raw[1] = (byte)n;
        var now = DateTimeOffset.UtcNow;
        return new TailnetNode
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
            RegisterMethod = RegistrationMethod.AuthKey,
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
