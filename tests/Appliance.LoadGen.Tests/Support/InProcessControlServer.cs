using Appliance.Control.Noise;
using Appliance.Control.Setup;
using Appliance.Hosting.Control;
using Appliance.Protocol.Control;
using Appliance.State.Coordinator;
using Appliance.State.Identity;
using Appliance.Storage.Database;
using Appliance.Storage.Files;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.LoadGen.Tests.Support;

/// <summary>
/// The real control plane (ControlCoordinator over SQLite, the ts2021 Noise transport, /machine/register and
/// /machine/map) on 127.0.0.1:0, composed as the appliance composes it, with an optional <see cref="MapFault"/>
/// between the map handler and the victim stream's client. Healthy when no fault is given.
/// </summary>
internal sealed class InProcessControlServer : IAsyncDisposable
{
    private readonly LoopbackHost _host;
    private readonly string _dataPath;
    private readonly DataDirectory _data;
    private readonly ApplianceDatabase _database;
    private int _streams = -1;

    private InProcessControlServer(LoopbackHost host, string dataPath, DataDirectory data, ApplianceDatabase database)
    {
        _host = host;
        _dataPath = dataPath;
        _data = data;
        _database = database;
    }

    public Uri BaseUri => _host.BaseUri();

    /// <summary>Frames the fault withheld from the victim (0 on a healthy server).</summary>
    public int Dropped => Filter?.Dropped ?? 0;

    private FrameFilterStream? Filter { get; set; }

    public static async Task<InProcessControlServer> StartAsync(MapFault? fault = null)
    {
        var dataPath = Directory.CreateTempSubdirectory("loadgen-tests-").FullName;
        var data = DataDirectory.Open(Path.Combine(dataPath, "data"));
        var database = ApplianceDatabase.Open(data, TimeProvider.System);
        var builder = LoopbackHost.CreateBuilder(kestrel: k => k.ListenNoise());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(database);
        builder.Services.AddSingleton(_ => new IdentityService(database, TimeProvider.System));
        builder.Services.AddRouting();
        builder.Services.AddTailnetRepositories();
        builder.Services.AddControl(new CoordinatorOptions { CoalesceWindow = TimeSpan.FromMilliseconds(20) });
        builder.Services.AddNoiseTransport(o => o.DataDirectory = Path.Combine(dataPath, "noise"));
        var app = builder.Build();
        InProcessControlServer? server = null;
        app.UseNoiseTransport();
        app.MapNoiseEndpoints();
        if (fault is not null)
        {
            app.Use(async (context, next) =>
            {
                if (context.Request.Path == "/machine/map" && await IsLongPollAsync(context.Request).ConfigureAwait(false)
                    && Interlocked.Increment(ref server!._streams) == fault.VictimStream)
                {
                    server.Filter = new FrameFilterStream(context.Response.Body, fault);
                    context.Response.Body = server.Filter;
                }

                await next(context).ConfigureAwait(false);
            });
        }

        app.MapControlEndpoints();
        var host = await LoopbackHost.StartAsync(app).ConfigureAwait(false);
        server = new InProcessControlServer(host, dataPath, data, database);
        return server;
    }

    /// <summary>A reusable pre-auth key for a fresh user.</summary>
    public string CreateKey()
    {
        var identity = _host.Services.GetRequiredService<IdentityService>();
        Assert.True(identity.CreateUser("load").IsOk);
        return identity.CreatePreAuthKey(new PreAuthKeyRequest("load", true, false, TimeSpan.FromHours(1), [])).Value!.Key;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync().ConfigureAwait(false);
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

    /// <summary>Reads the map request (and puts it back for the handler) to tell a long poll from a lite update.</summary>
    private static async Task<bool> IsLongPollAsync(HttpRequest request)
    {
        using var copy = new MemoryStream();
        await request.Body.CopyToAsync(copy).ConfigureAwait(false);
        var body = copy.ToArray();
        request.Body = new MemoryStream(body);
        try
        {
            return ControlJson.ParseMapRequest(body).Stream;
        }
        catch (System.Text.Json.JsonException)
        {
            return false;
        }
    }
}
