using System.Net;
using Appliance.Control.Noise;
using Appliance.Control.Setup;
using Appliance.Hosting.Control;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.State;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.State.Nodes;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.TestKit.Control;
using Appliance.TestKit.Hosting;
using Appliance.TestKit.Noise;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.ServerTests.Control;

/// <summary>
/// Issue 12: /machine/register and /machine/map on a database that refuses writes (SQLite's own exception for a
/// full or read-only database, thrown at the node repository seam), over the real ts2021 Noise transport and HTTP/2.
/// The client gets 503 with Retry-After and a short reason, never ASP.NET's 500; the coordinator logs
/// StorageWriteFailed once per refusal; nothing changes (no node row, no key use, no snapshot, no delta to a peer);
/// once the fault clears the same client registers with the same single-use key and streams normally.
/// </summary>
public sealed class StorageRefusalEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Register_and_map_on_a_refusing_database_answer_503_change_nothing_and_work_once_it_clears()
    {
        var dataPath = Directory.CreateTempSubdirectory("storage-refusal-").FullName;
        using var data = DataDirectory.Open(Path.Combine(dataPath, "data"));
        using var database = ApplianceDatabase.Open(data, TimeProvider.System);
        var nodes = new RefusingNodeRepository(new SqliteNodeRepository(database));
        var events = new EventCounter();
        var builder = LoopbackHost.CreateBuilder(kestrel: k => k.ListenNoise());
        builder.Logging.AddProvider(events);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(_ => new IdentityService(database, TimeProvider.System));
        builder.Services.AddSingleton<INodeRepository>(nodes);
        builder.Services.AddRouting();
        builder.Services.AddTailnetRepositories();
        // Keep-alives as rare as allowed: the test counts the messages a peer receives while nothing may change.
        builder.Services.AddControl(new CoordinatorOptions { CoalesceWindow = TimeSpan.FromMilliseconds(20), KeepAliveInterval = TimeSpan.FromSeconds(100) });
        builder.Services.AddNoiseTransport(o => o.DataDirectory = Path.Combine(dataPath, "noise"));
        var app = builder.Build();
        app.UseNoiseTransport();
        app.MapNoiseEndpoints();
        app.MapControlEndpoints();
        await using var host = await LoopbackHost.StartAsync(app);
        var coordinator = host.Services.GetRequiredService<ControlCoordinator>();
        var identity = host.Services.GetRequiredService<IdentityService>();
        Assert.True(identity.CreateUser("alice").IsOk);
        var reusable = identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", true, false, TimeSpan.FromHours(1), [])).Value!.Key;
        var once = identity.CreatePreAuthKey(new PreAuthKeyRequest("alice", false, false, TimeSpan.FromHours(1), [])).Value!;
        var serverKey = await NoiseControlClient.FetchServerKeyAsync(host.BaseUri(), 133);

        // A peer, registered and streaming before the fault.
        await using var peerNoise = await NoiseControlClient.ConnectAsync(host.BaseUri(), MachinePrivate.Generate(), serverKey, 133);
        await using var peer = new TestNode(peerNoise.Http, peerNoise.MachineKey, "peer");
        Assert.Equal(HttpStatusCode.OK, (await peer.RegisterAsync(reusable)).Status);
        Assert.Equal(HttpStatusCode.OK, await peer.StartMapPollAsync());
        Assert.True(await peer.WaitUntilAsync(n => n.Self is not null, Wait));
        await Task.Delay(300);

        var snapshot = coordinator.Snapshot;
        var rows = nodes.LoadAll().Count;
        var received = peer.MessagesReceived;

        await using var clientNoise = await NoiseControlClient.ConnectAsync(host.BaseUri(), MachinePrivate.Generate(), serverKey, 133);
        await using var client = new TestNode(clientNoise.Http, clientNoise.MachineKey, "laptop");
        nodes.Refusal = () => new SqliteException("SQLite Error 13: 'database or disk is full'.", 13);

        using (var register = await PostAsync(clientNoise.Http, "/machine/register", ControlJson.Serialize(new RegisterRequest
        {
            Version = 133,
            NodeKey = client.NodeKey.Public,
            Auth = new RegisterResponseAuth { AuthKey = once.Key },
            Hostinfo = client.Hostinfo,
        })))
        {
            await AssertUnavailable(register);
        }

        Assert.Equal(1, events.StorageWriteFailed);

        using (var map = await PostAsync(peerNoise.Http, "/machine/map", ControlJson.Serialize(peer.MapRequest(stream: false) with
        {
            OmitPeers = true, Endpoints = ["192.0.2.7:41641"], EndpointTypes = [2],
        })))
        {
            await AssertUnavailable(map);
        }

        Assert.Equal(2, events.StorageWriteFailed);
        Assert.Same(snapshot, coordinator.Snapshot);
        Assert.Equal(rows, nodes.LoadAll().Count);
        Assert.Equal(0, identity.ListPreAuthKeys().Value!.Single(k => k.Prefix == once.Record.Prefix).UsedCount);
        await Task.Delay(300);
        Assert.Equal(received, peer.MessagesReceived);

        nodes.Refusal = null;
        var admitted = await client.RegisterAsync(once.Key);
        Assert.Equal(HttpStatusCode.OK, admitted.Status);
        Assert.True(admitted.Response!.MachineAuthorized, admitted.Response.Error);
        Assert.Equal(HttpStatusCode.OK, await client.StartMapPollAsync());
        Assert.True(await client.WaitUntilAsync(n => n.PeerCount == 1, Wait));
        Assert.True(await peer.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Name.StartsWith("laptop", StringComparison.Ordinal)), Wait));
        Assert.Equal(HttpStatusCode.OK, await peer.SendLiteUpdateAsync(["192.0.2.7:41641"]));
        Assert.True(await client.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Endpoints?.Contains("192.0.2.7:41641") == true), Wait));
        Assert.Equal(2, events.StorageWriteFailed);

        await client.StopMapPollAsync();
        await peer.StopMapPollAsync();
        TryDelete(dataPath);
    }

    private static async Task AssertUnavailable(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(10), response.Headers.RetryAfter?.Delta);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var reason = await response.Content.ReadAsStringAsync();
        Assert.Contains("database refused the write", reason, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", reason, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = null;
        return http.PostAsync(new Uri(path, UriKind.Relative), content);
    }

    private static void TryDelete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The real SQLite repository, or, while <see cref="Refusal"/> is set, a database that refuses every write.</summary>
    private sealed class RefusingNodeRepository(INodeRepository inner) : INodeRepository
    {
        public Func<Exception>? Refusal { get; set; }

        public IReadOnlyList<TailnetNode> LoadAll() => inner.LoadAll();

        public TailnetNode? Find(long id) => inner.Find(id);

        public WriteResult<TailnetNode> Insert(TailnetNode node) => Refusal is { } refuse ? throw refuse() : inner.Insert(node);

        public WriteResult<TailnetNode> Update(TailnetNode node, NodeColumns columns) => Refusal is { } refuse ? throw refuse() : inner.Update(node, columns);

        public bool Delete(long id) => Refusal is { } refuse ? throw refuse() : inner.Delete(id);
    }

    /// <summary>Counts StorageWriteFailed events (State/StateEvents.cs, id 2004) from every logger of the host.</summary>
    private sealed class EventCounter : ILoggerProvider, ILogger
    {
        private int _storageWriteFailed;

        public int StorageWriteFailed => Volatile.Read(ref _storageWriteFailed);

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == StateEvents.StorageWriteFailedId)
            {
                Interlocked.Increment(ref _storageWriteFailed);
            }
        }

        public void Dispose()
        {
        }
    }
}
