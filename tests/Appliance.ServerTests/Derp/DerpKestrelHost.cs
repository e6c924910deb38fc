using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Control.Connections;
using Appliance.Derp.Admission;
using Appliance.Derp.Relay;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Derp;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.Derp;

/// <summary>A real Kestrel on 127.0.0.1:0 with TLS, wired exactly as the composition root does: AddDerp + MapDerp.</summary>
internal sealed class DerpKestrelHost : IAsyncDisposable
{
    private readonly LoopbackHost _host;

    private DerpKestrelHost(LoopbackHost host, string dataDir, X509Certificate2 certificate, AllowListDerpAdmission admission)
    {
        _host = host;
        DataDir = dataDir;
        Certificate = certificate;
        Admission = admission;
    }

    public WebApplication App => _host.App;

    public string DataDir { get; }

    public X509Certificate2 Certificate { get; }

    public AllowListDerpAdmission Admission { get; }

    public IPEndPoint EndPoint => _host.EndPoint;

    public DerpServer Server => App.Services.GetRequiredService<DerpServer>();

    public StunHostedService Stun => App.Services.GetRequiredService<StunHostedService>();

    /// <param name="tls">False: a plain-HTTP listener, like server.listen.</param>
    public static async Task<DerpKestrelHost> StartAsync(string? dataDir = null, Action<ApplianceOptions>? configure = null, bool tls = true)
    {
        dataDir ??= Directory.CreateTempSubdirectory("derp-servertest-").FullName;
        var certificate = TestCertificate.Create();
        var options = new ApplianceOptions();
        options.Server.DataDir = dataDir;
        options.Server.HttpsListen = "127.0.0.1:8443";
        options.Server.ServerUrl = "https://" + TestCertificate.HostName;
        options.Derp.StunListen = "127.0.0.1:0";
        configure?.Invoke(options);

        var builder = LoopbackHost.CreateBuilder(listen =>
        {
            if (tls)
            {
                listen.UseHttps(certificate);
            }

            listen.UseConnectionUpgrades();
        });
        var admission = new AllowListDerpAdmission([]);
        builder.Services.AddSingleton<IDerpAdmission>(admission);
        builder.Services.AddDerp(options);
        var app = builder.Build();
        app.UseWebSockets();
        app.MapDerp();
        return new DerpKestrelHost(await LoopbackHost.StartAsync(app), dataDir, certificate, admission);
    }

    public HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && cert.GetCertHash().AsSpan().SequenceEqual(Certificate.GetCertHash()) },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{EndPoint.Port}") };
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        Certificate.Dispose();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort on a temp folder.
        }
    }
}
