using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Appliance.Hosting;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Startup;
using Appliance.Hosting.Tls;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.ServerTests.Support;
using Appliance.State.Identity;
using Appliance.TestKit.Control;
using Appliance.TestKit.Noise;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Serilog;

namespace Appliance.ServerTests.EndToEnd;

/// <summary>
/// The real composition root (<see cref="ApplianceHost.Build"/>, as `appliance serve` runs it) started in-process on
/// ephemeral loopback ports with a temporary data folder and the local CA, plus helpers that act as clients:
/// Noise-speaking test nodes, the admin socket, and the HTTPS endpoint for DERP.
/// </summary>
internal sealed class ApplianceUnderTest : IAsyncDisposable
{
    private readonly TempFolder? _data;
    private readonly ApplianceState _state;
    private readonly WebApplication _app;
    private readonly List<IAsyncDisposable> _clients = [];
    private bool _keepData;
    private bool _disposed;

    private ApplianceUnderTest(TempFolder? data, string dataDir, ApplianceState state, WebApplication app)
    {
        _data = data;
        DataDir = dataDir;
        _state = state;
        _app = app;
        Http = ApplianceHost.HttpAddresses(app).Single(a => a.Scheme == Uri.UriSchemeHttp);
        var https = ApplianceHost.HttpAddresses(app).Single(a => a.Scheme == Uri.UriSchemeHttps);
        Https = new IPEndPoint(IPAddress.Parse(https.Host), https.Port);
        Admin = Support.Http.UnixSocketClient(state.Paths.AdminSocket);
        Metrics = ApplianceHost.MetricsUrl(app)!;
    }

    /// <summary>http://127.0.0.1:PORT/metrics on the metrics listener.</summary>
    public Uri Metrics { get; }

    public Uri Http { get; }

    /// <summary>The data folder, for CLI verbs run against this instance (`--data-dir`).</summary>
    public string DataDir { get; }

    public IPEndPoint Https { get; }

    /// <summary>A client on admin.sock (the same socket `appliance nodes ...` uses).</summary>
    public HttpClient Admin { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="policyFile">Makes `policy.file` point at this file (name) in the data folder, written with <paramref name="policyText"/>.</param>
    /// <param name="dataDir">A data folder the caller owns (e.g. on a small file system it mounted); default a temporary one.</param>
    /// <param name="configure">Last changes to the options before the host is built.</param>
    /// <param name="identityText">Written to identity.hujson in the data folder, which `identity.file` points at (absent when null).</param>
    public static async Task<ApplianceUnderTest> StartAsync(
        string? policyFile = null, string? policyText = null, string? dataDir = null, Action<ApplianceOptions>? configure = null, string? identityText = null)
    {
        var data = dataDir is null ? new TempFolder() : null;
        var dataPath = dataDir ?? data!.Path;
        var identityPath = Path.Combine(dataPath, "identity.hujson");
        if (identityText is not null)
        {
            await File.WriteAllTextAsync(identityPath, identityText).ConfigureAwait(false);
        }

        string policyPath = "";
        if (policyFile is not null)
        {
            policyPath = Path.Combine(dataPath, policyFile);
            await File.WriteAllTextAsync(policyPath, policyText ?? "{}").ConfigureAwait(false);
        }

        var options = new ApplianceOptions
        {
            Server = { Listen = "127.0.0.1:0", HttpsListen = "127.0.0.1:0", DataDir = dataPath, ShutdownTimeout = TimeSpan.FromSeconds(3) },
            Log = { File = "off" },
            Tls = { Mode = TlsMode.LocalCa },
            Derp = { StunListen = "127.0.0.1:0" },
            Metrics = { Listen = "127.0.0.1:0" },
            Nodes = { ChangeCoalesce = TimeSpan.FromMilliseconds(20) },
            Policy = { File = policyPath },
            Backup = { Interval = TimeSpan.Zero, VerifyInterval = TimeSpan.Zero },
            Identity = { File = identityPath },
        };
        configure?.Invoke(options);
        var state = ApplianceState.TryOpen(AppliancePaths.From(options), options.Database).State!;
        var app = ApplianceHost.Build(options, state, new LoggerConfiguration().CreateLogger());
        await app.StartAsync().ConfigureAwait(false);
        return new ApplianceUnderTest(data, dataPath, state, app);
    }

    /// <summary>A reusable pre-auth key for <paramref name="user"/>, created through State's IdentityService from the host's services.</summary>
    public string CreatePreAuthKey(string user = "alice")
    {
        var identity = Services.GetRequiredService<IdentityService>();
        if (identity.FindUser(user) is null)
        {
            Assert.True(identity.CreateUser(user).IsOk);
        }

        return identity.CreatePreAuthKey(new PreAuthKeyRequest(user, true, false, TimeSpan.FromHours(1), [])).Value!.Key;
    }

    /// <summary>A node as tailscaled joins: GET /key, the ts2021 upgrade over Noise, then control requests inside the session.</summary>
    public async Task<TestNode> ConnectNodeAsync(string hostname)
    {
        var serverKey = await NoiseControlClient.FetchServerKeyAsync(Http, CapabilityVersion.TestClient).ConfigureAwait(false);
        var noise = await NoiseControlClient.ConnectAsync(Http, MachinePrivate.Generate(), serverKey, CapabilityVersion.TestClient).ConfigureAwait(false);
        _clients.Add(noise);
        var node = new TestNode(noise.Http, noise.MachineKey, hostname);
        _clients.Add(node);
        return node;
    }

    /// <summary>The certificate the HTTPS listener presents (minted by the local CA), for pinning in DERP clients.</summary>
    public async Task<X509Certificate2> HttpsCertificateAsync()
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(Https).ConfigureAwait(false);
        X509Certificate2? presented = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            // Captured here and pinned by hash in the DERP client; the CA chain itself is the Tls area's test.
            presented = certificate is null ? null : new X509Certificate2(certificate);
            return presented is not null;
        });
        await tls.AuthenticateAsClientAsync("127.0.0.1").ConfigureAwait(false);
        return presented!;
    }

    /// <summary>Stops the server and releases the data folder, which stays on disk for the caller (who deletes it).</summary>
    public async Task StopKeepingDataAsync()
    {
        _keepData = true;
        await DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (var i = _clients.Count - 1; i >= 0; i--)
        {
            await _clients[i].DisposeAsync().ConfigureAwait(false);
        }

        Admin.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _state.Dispose();
        if (!_keepData)
        {
            _data?.Dispose();
        }
    }
}
