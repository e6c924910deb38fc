using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Appliance.TestKit.Hosting;

/// <summary>
/// The one loopback Kestrel host for tests and benchmarks: a slim <see cref="WebApplication"/> without log output,
/// listening on 127.0.0.1 with a port the OS picks (never any other address). Build the app from
/// <see cref="CreateBuilder"/>, add the area under test exactly as the composition root does, then
/// <see cref="StartAsync"/> it and read the bound <see cref="EndPoint"/>. Disposing stops and disposes the app.
/// </summary>
public sealed class LoopbackHost : IAsyncDisposable
{
    private LoopbackHost(WebApplication app, IPEndPoint endPoint)
    {
        App = app;
        EndPoint = endPoint;
    }

    public WebApplication App { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>The bound loopback address and port.</summary>
    public IPEndPoint EndPoint { get; }

    public int Port => EndPoint.Port;

    /// <summary><c>http://127.0.0.1:PORT/</c> (or https, for a listener configured with TLS).</summary>
    public Uri BaseUri(bool https = false) => new($"{(https ? "https" : "http")}://127.0.0.1:{Port}/");

    /// <param name="listen">Per-listener settings for the 127.0.0.1:0 listener (TLS, protocols).</param>
    /// <param name="kestrel">Further Kestrel settings, such as extra listeners (a Unix socket, an in-process endpoint).</param>
    public static WebApplicationBuilder CreateBuilder(Action<ListenOptions>? listen = null, Action<KestrelServerOptions>? kestrel = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(options =>
        {
            options.Listen(IPAddress.Loopback, 0, l => listen?.Invoke(l));
            kestrel?.Invoke(options);
        });
        return builder;
    }

    /// <summary>Starts <paramref name="app"/> and finds the port its 127.0.0.1 listener got.</summary>
    public static async Task<LoopbackHost> StartAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        await app.StartAsync().ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var address = addresses.Select(a => new Uri(a)).First(a => a.Host == "127.0.0.1");
        return new LoopbackHost(app, new IPEndPoint(IPAddress.Loopback, address.Port));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
