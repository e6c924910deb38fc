using Appliance.Hosting.Tls;
using Appliance.TestKit.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Pki.Tests.Tls;

/// <summary>A real Kestrel on 127.0.0.1:0 using the appliance's TLS selector and renewal loop, answering "ok".</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly LoopbackHost _host;

    private LoopbackServer(LoopbackHost host) => _host = host;

    public int Port => _host.Port;

    public static async Task<LoopbackServer> StartAsync(TlsCertificateStore store)
    {
        var builder = LoopbackHost.CreateBuilder(listen => listen.UseApplianceTls());
        builder.Services.AddSingleton(store);
        builder.Services.AddHostedService<TlsRenewalService>();
        var app = builder.Build();
        app.Run(async context =>
        {
            context.Response.ContentLength = 2;
            await context.Response.WriteAsync("ok");
        });
        return new LoopbackServer(await LoopbackHost.StartAsync(app));
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
