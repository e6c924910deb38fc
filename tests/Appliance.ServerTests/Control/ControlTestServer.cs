using System.Net;
using Appliance.Control;
using Appliance.Control.Setup;
using Appliance.Hosting.Control;
using Appliance.Protocol.Keys;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.Control;

/// <summary>
/// The control plane on a loopback Kestrel port speaking h2c, with real SQLite storage and IdentityService.
/// Until the Noise transport is wired into this tier, a test middleware plays its part: it sets
/// <see cref="INoiseSessionFeature"/> from the <c>X-Test-Machine-Key</c> header (what the Noise handshake proves).
/// </summary>
internal sealed class ControlTestServer : IAsyncDisposable
{
    public const string MachineHeader = "X-Test-Machine-Key";
    private readonly WebApplication _app;
    private readonly string _dataPath;
    private readonly DataDirectory _data;
    private readonly ApplianceDatabase _database;
    private readonly List<HttpClient> _clients = [];
    private readonly List<TestKitNode> _nodes = [];

    private ControlTestServer(WebApplication app, string dataPath, DataDirectory data, ApplianceDatabase database, Uri baseAddress)
    {
        _app = app;
        _dataPath = dataPath;
        _data = data;
        _database = database;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public ControlCoordinator Coordinator => _app.Services.GetRequiredService<ControlCoordinator>();

    public IdentityService Identity => _app.Services.GetRequiredService<IdentityService>();

    public static async Task<ControlTestServer> StartAsync(Action<CoordinatorOptions>? configure = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var dataPath = Path.Combine(Path.GetTempPath(), "appliance-control-tests", Guid.NewGuid().ToString("N"));
        var data = DataDirectory.Open(dataPath);
        var database = ApplianceDatabase.Open(data, time);
        var options = new CoordinatorOptions { CoalesceWindow = TimeSpan.FromMilliseconds(20) };
        configure?.Invoke(options);

        var builder = LoopbackHost.CreateBuilder(l => l.Protocols = HttpProtocols.Http2);
        builder.Services.AddSingleton(time);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(sp => new IdentityService(database, time));
        builder.Services.AddRouting();
        builder.Services.AddTailnetRepositories();
        builder.Services.AddControl(options);
        var app = builder.Build();
        app.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue(MachineHeader, out var value) && MachinePublic.TryParse(value.ToString(), out var machine))
            {
                context.Features.Set<INoiseSessionFeature>(new TestNoiseSession(machine, 133));
            }

            return next(context);
        });
        app.MapControlEndpoints();
        var host = await LoopbackHost.StartAsync(app).ConfigureAwait(false);
        return new ControlTestServer(app, dataPath, data, database, host.BaseUri());
    }

    /// <summary>An HTTP/2 client for one machine (like one Noise connection).</summary>
    public HttpClient ClientFor(MachinePublic machine, bool noise = true)
    {
        var client = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = false })
        {
            BaseAddress = BaseAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
        if (noise)
        {
            client.DefaultRequestHeaders.Add(MachineHeader, machine.ToString());
        }

        _clients.Add(client);
        return client;
    }

    public TestKitNode NewNode(string hostname)
    {
        var machine = MachinePrivate.Generate().Public;
        var node = new TestKitNode(new Appliance.TestKit.Control.TestNode(ClientFor(machine), machine, hostname));
        _nodes.Add(node);
        return node;
    }

    /// <summary>
    /// The common start of a two-node test: "a" and "b" registered with one reusable key, "a" polling and already
    /// seeing "b" (and "b" polling too when <paramref name="pollB"/>). Both are stopped when the server is disposed.
    /// </summary>
    public async Task<(Appliance.TestKit.Control.TestNode A, Appliance.TestKit.Control.TestNode B)> StartPairAsync(bool pollB = false)
    {
        var key = CreateKey();
        var a = NewNode("a").Node;
        var b = NewNode("b").Node;
        Assert.Equal(HttpStatusCode.OK, (await a.RegisterAsync(key).ConfigureAwait(false)).Status);
        Assert.Equal(HttpStatusCode.OK, (await b.RegisterAsync(key).ConfigureAwait(false)).Status);
        Assert.Equal(HttpStatusCode.OK, await a.StartMapPollAsync().ConfigureAwait(false));
        if (pollB)
        {
            Assert.Equal(HttpStatusCode.OK, await b.StartMapPollAsync().ConfigureAwait(false));
        }

        Assert.True(await a.WaitUntilAsync(n => n.Peers.Count == 1, TimeSpan.FromSeconds(10)).ConfigureAwait(false));
        return (a, b);
    }

    public string CreateKey(bool reusable = true, bool ephemeral = false, string user = "alice", TimeSpan? expiration = null)
    {
        if (Identity.FindUser(user) is null)
        {
            Identity.CreateUser(user);
        }

        return Identity.CreatePreAuthKey(new PreAuthKeyRequest(user, reusable, ephemeral, expiration ?? TimeSpan.FromHours(1), [])).Value!.Key;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _database.Dispose();
        _data.Dispose();
        try
        {
            Directory.Delete(_dataPath, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed record TestNoiseSession(MachinePublic ClientMachineKey, int ProtocolVersion) : INoiseSessionFeature;
}

/// <summary>A TestNode plus disposal, so tests can `await using` it.</summary>
internal sealed class TestKitNode(Appliance.TestKit.Control.TestNode node) : IAsyncDisposable
{
    public Appliance.TestKit.Control.TestNode Node { get; } = node;

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}
