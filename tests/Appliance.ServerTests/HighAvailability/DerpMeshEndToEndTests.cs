using System.Net;
using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.ServerTests.EndToEnd;
using Appliance.TestKit.Derp;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.HighAvailability;

/// <summary>
/// Two whole appliances (the real composition root, in-process, loopback) sharing a mesh key file: A links to B
/// (derp.mesh_peers), X homed on A's DERP sends to Y homed on B's and Y receives it; Y leaves and A forgets it.
/// Plain-HTTP DERP (derp.allow_plain_http) keeps TLS trust out of the way; the mesh code path is the same.
/// </summary>
public sealed class DerpMeshEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_client_homed_on_instance_A_reaches_a_client_homed_on_instance_B()
    {
        using var shared = new Appliance.TestKit.TempFolder();
        var keyFile = Path.Combine(shared.Path, "derp_mesh.key");
        await using var b = await ApplianceUnderTest.StartAsync(configure: o =>
        {
            o.Derp.AllowPlainHttp = true;
            o.Derp.MeshKeyFile = keyFile;
        });
        await using var a = await ApplianceUnderTest.StartAsync(configure: o =>
        {
            o.Derp.AllowPlainHttp = true;
            o.Derp.MeshKeyFile = keyFile;
            o.Derp.MeshPeers = [$"http://127.0.0.1:{b.Http.Port}"];
        });
        var x = await JoinAsync(a, "x");
        var y = await JoinAsync(b, "y");

        await using var xDerp = await DerpHttpConnector.ConnectAsync(new IPEndPoint(IPAddress.Loopback, a.Http.Port), x.NodeKey, "127.0.0.1", null);
        var yDerp = await DerpHttpConnector.ConnectAsync(new IPEndPoint(IPAddress.Loopback, b.Http.Port), y.NodeKey, "127.0.0.1", null);
        var relayA = a.Services.GetRequiredService<DerpServer>();
        await Until(() => relayA.IsHeldElsewhere(y.NodeKey.Public));

        await xDerp.SendPacketAsync(y.NodeKey.Public, "through the mesh"u8.ToArray());
        var received = await yDerp.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);

        Assert.Equal(x.NodeKey.Public, received!.Key);
        Assert.Equal("through the mesh"u8.ToArray(), received.Data);
        Assert.Equal("600", Convert.ToString((int)File.GetUnixFileMode(keyFile) & 0x1FF, 8));
        var region = Assert.Single(a.Services.GetRequiredService<State.Coordinator.IDerpMapProvider>().Current.Regions!).Value;
        Assert.Equal(2, region.Nodes!.Count);

        await yDerp.DisposeAsync();
        await Until(() => !relayA.IsHeldElsewhere(y.NodeKey.Public));
    }

    private static async Task<TestKit.Control.TestNode> JoinAsync(ApplianceUnderTest appliance, string name)
    {
        var node = await appliance.ConnectNodeAsync(name);
        var registered = await node.RegisterAsync(appliance.CreatePreAuthKey());
        Assert.True(registered.Response?.MachineAuthorized == true, registered.Text);
        return node;
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within " + Wait);
            await Task.Delay(50);
        }
    }
}
