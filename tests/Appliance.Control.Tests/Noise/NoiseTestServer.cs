using Appliance.Control;
using Appliance.Control.Connections;
using Appliance.Control.Noise;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Control.Tests.Noise;

/// <summary>
/// An in-process Kestrel app on 127.0.0.1:0 wired exactly as the composition root must wire the Noise transport,
/// plus test-only inner endpoints: <c>/test/whoami</c> echoes the INoiseSessionFeature, <c>/test/wait</c> blocks until
/// released (to prove streams run concurrently), <c>/test/echo</c> returns the body length.
/// </summary>
internal sealed class NoiseTestServer : IAsyncDisposable
{
    private readonly LoopbackHost _host;
    private readonly string _dataDir;

    private NoiseTestServer(LoopbackHost host, string dataDir, Uri baseUri, MachinePublic serverKey)
    {
        _host = host;
        _dataDir = dataDir;
        BaseUri = baseUri;
        ServerKey = serverKey;
    }

    public Uri BaseUri { get; }

    public MachinePublic ServerKey { get; }

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Waiting;

    public string DataDir => _dataDir;

    /// <summary>HTTP/1.1 requests for /ts2021 that reached the app (the connection middleware answers upgrades before that).</summary>
    public int UpgradeRequests;

    /// <param name="connectionUpgrade">
    /// True (as the composition root does): the listener has the connection middleware that answers ts2021 upgrades on
    /// the connection itself. False: only the /ts2021 endpoint (HTTP/1.1 upgrade), which still serves whatever the
    /// middleware leaves to it.
    /// </param>
    public static async Task<NoiseTestServer> StartAsync(string? dataDir = null, byte[]? responderEphemeral = null, Action<NoiseOptions>? configure = null, bool connectionUpgrade = true)
    {
        dataDir ??= Directory.CreateTempSubdirectory("noise-test-").FullName;
        var builder = LoopbackHost.CreateBuilder(
            listen: listen =>
            {
                if (connectionUpgrade)
                {
                    listen.UseConnectionUpgrades();
                }
            },
            kestrel: kestrel => kestrel.ListenNoise());
        builder.Services.AddNoiseTransport(o =>
        {
            o.DataDirectory = dataDir;
            o.ResponderEphemeralForTesting = responderEphemeral;
            configure?.Invoke(o);
        });
        var app = builder.Build();
        NoiseTestServer? server = null;
        app.Use((context, next) =>
        {
            if (context.Request.Path == "/ts2021")
            {
                Interlocked.Increment(ref server!.UpgradeRequests);
            }

            return next(context);
        });
        app.UseNoiseTransport();
        app.MapNoiseEndpoints();
        app.MapPost("/test/whoami", (HttpContext context) =>
        {
            var session = context.Features.Get<INoiseSessionFeature>();
            return session is null ? "none" : $"{session.ClientMachineKey} {session.ProtocolVersion} {context.Request.Protocol}";
        });
        app.MapGet("/test/whoami", (HttpContext context) => context.Features.Get<INoiseSessionFeature>() is { } s ? s.ClientMachineKey.ToString() : "none");
        app.MapPost("/machine/register", async (HttpContext context) =>
        {
            using var ms = new MemoryStream();
            await context.Request.Body.CopyToAsync(ms);
            var session = context.Features.Get<INoiseSessionFeature>();
            return $"{session?.ClientMachineKey} {context.Request.Scheme} {context.Request.Path} {ms.Length}";
        });
        app.MapPost("/test/wait", async () =>
        {
            Interlocked.Increment(ref server!.Waiting);
            await server.Release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return "released";
        });
        app.MapPost("/test/echo", async (HttpContext context) =>
        {
            using var ms = new MemoryStream();
            await context.Request.Body.CopyToAsync(ms);
            return ms.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });
        var host = await LoopbackHost.StartAsync(app);
        server = new NoiseTestServer(host, dataDir, host.BaseUri(), host.Services.GetRequiredService<NoiseServerKey>().Public);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        Release.TrySetResult();
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
