using System.Net;
using Appliance.Control;
using Appliance.Control.Connections;
using Appliance.Control.Noise;
using Appliance.Hosting.Configuration;
using Appliance.Hosting.Derp;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;
using Appliance.TestKit.Hosting;
using Appliance.TestKit.Noise;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.Hosting.Tests.Connections;

/// <summary>
/// Both protocols behind the one dispatcher on one listener, as the composition root wires them
/// (<c>UseConnectionUpgrades()</c>, targets from <c>AddNoiseTransport</c> and <c>AddDerp</c>): a DERP client and a
/// ts2021 client are each answered on the raw transport (no HTTP request for either reaches the app), and ordinary
/// requests, including the endpoints' own paths, reach the HTTP pipeline.
/// </summary>
public sealed class ConnectionUpgradeDispatcherTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task DERP_and_ts2021_upgrades_share_one_listener_and_everything_else_reaches_the_app()
    {
        var dataDir = Directory.CreateTempSubdirectory("dispatcher-").FullName;
        try
        {
            var options = new ApplianceOptions();
            options.Server.DataDir = dataDir;
            options.Derp.StunListen = "127.0.0.1:0";
            options.Derp.VerifyClients = false;
            options.Derp.AllowPlainHttp = true;
            var builder = LoopbackHost.CreateBuilder(listen => listen.UseConnectionUpgrades(), kestrel => kestrel.ListenNoise());
            builder.Services.AddDerp(options);
            builder.Services.AddNoiseTransport(dataDir);
            var app = builder.Build();
            var upgradeRequests = 0;
            app.Use((context, next) =>
            {
                if (context.Request.Path == "/derp" || context.Request.Path == "/ts2021")
                {
                    Interlocked.Increment(ref upgradeRequests);
                }

                return next(context);
            });
            app.UseNoiseTransport();
            app.MapNoiseEndpoints();
            app.MapDerp();
            app.MapPost("/test/whoami", (HttpContext context) => context.Features.Get<INoiseSessionFeature>() is { } s ? s.ClientMachineKey.ToString() : "none");
            await using var host = await LoopbackHost.StartAsync(app);

            await using var a = await DerpHttpConnector.ConnectAsync(host.EndPoint, NodePrivate.Generate(), "127.0.0.1", null).WaitAsync(Wait);
            await using var b = await DerpHttpConnector.ConnectAsync(host.EndPoint, NodePrivate.Generate(), "127.0.0.1", null).WaitAsync(Wait);
            await a.SendPacketAsync(b.PublicKey, "hello"u8.ToArray()).WaitAsync(Wait);
            var frame = await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
            Assert.Equal("hello"u8.ToArray(), frame!.Data);

            var machineKey = MachinePrivate.Generate();
            var serverKey = host.Services.GetRequiredService<NoiseServerKey>().Public;
            await using var control = await NoiseControlClient.ConnectAsync(host.BaseUri(), machineKey, serverKey, 133).WaitAsync(Wait);
            var whoami = await control.Http.PostAsync("test/whoami", new StringContent("{}")).WaitAsync(Wait);
            Assert.Equal(HttpVersion.Version20, whoami.Version);
            Assert.Equal(machineKey.Public.ToString(), await whoami.Content.ReadAsStringAsync());
            Assert.Equal(0, Volatile.Read(ref upgradeRequests));

            using var http = new HttpClient { BaseAddress = host.BaseUri() };
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/key?v=133", UriKind.Relative)).WaitAsync(Wait)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/derp/probe", UriKind.Relative)).WaitAsync(Wait)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync(new Uri("/ts2021", UriKind.Relative), null).WaitAsync(Wait)).StatusCode);
            Assert.Equal("none", await (await http.PostAsync(new Uri("/test/whoami", UriKind.Relative), null).WaitAsync(Wait)).Content.ReadAsStringAsync());
            Assert.Equal(1, Volatile.Read(ref upgradeRequests));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }
}
