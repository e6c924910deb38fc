using System.Net;
using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Control;
using Appliance.TestKit.Derp;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.EndToEnd;

/// <summary>
/// Issues 3 and 4 end to end through the real composition root: two nodes join over /key + /ts2021 (Noise) with a
/// pre-auth key, follow each other's changes, are expired and deleted through the admin socket, and relay through
/// the embedded DERP server on the HTTPS listener, which admits only registered, unexpired node keys.
/// </summary>
public sealed class ServeEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Two_nodes_join_over_noise_see_each_other_with_the_embedded_derp_region_and_follow_admin_verbs()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        var key = appliance.CreatePreAuthKey();
        var a = await appliance.ConnectNodeAsync("node-a");
        var b = await appliance.ConnectNodeAsync("node-b");

        var registered = await a.RegisterAsync(key);
        Assert.True(registered.Status == HttpStatusCode.OK, registered.Text);
        Assert.True(registered.Response!.MachineAuthorized);
        Assert.Equal(HttpStatusCode.OK, (await b.RegisterAsync(key)).Status);
        Assert.True(await a.StartMapPollAsync() == HttpStatusCode.OK, a.LastError);
        Assert.True(await b.StartMapPollAsync() == HttpStatusCode.OK, b.LastError);

        Assert.True(await a.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Name == "node-b.tailnet.internal."), Wait));
        Assert.True(await b.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Name == "node-a.tailnet.internal."), Wait));
        var region = Assert.Single(a.DERPMap!.Regions!).Value;
        Assert.Equal(900, region.RegionID);
        Assert.Equal("127.0.0.1", Assert.Single(region.Nodes!).HostName);

        Assert.Equal(HttpStatusCode.OK, await b.SendLiteUpdateAsync(["192.0.2.7:41641"], preferredDerp: 900));
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Values.Single().Endpoints?.Contains("192.0.2.7:41641") == true, Wait));

        var bId = a.Peers.Keys.Single();
        using (var expired = await appliance.Admin.PostAsync(new Uri($"http://admin/api/v1/nodes/{bId}/expire"), null))
        {
            Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
        }

        Assert.True(await a.WaitUntilAsync(n => n.Peers.TryGetValue(bId, out var peer) && peer.Expired, Wait));

        using (var deleted = await appliance.Admin.DeleteAsync(new Uri($"http://admin/api/v1/nodes/{bId}")))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        Assert.True(await a.WaitUntilAsync(n => n.Peers.Count == 0, Wait));
        Assert.True(await b.WaitUntilAsync(n => n.PollEnded, Wait));
    }

    [Fact]
    public async Task Registered_nodes_relay_through_derp_on_the_https_listener_and_strangers_and_deleted_nodes_are_refused()
    {
        await using var appliance = await ApplianceUnderTest.StartAsync();
        var key = appliance.CreatePreAuthKey();
        var a = await appliance.ConnectNodeAsync("relay-a");
        var b = await appliance.ConnectNodeAsync("relay-b");
        Assert.Equal(HttpStatusCode.OK, (await a.RegisterAsync(key)).Status);
        Assert.Equal(HttpStatusCode.OK, (await b.RegisterAsync(key)).Status);
        var certificate = await appliance.HttpsCertificateAsync();

        await using var derpA = await DerpHttpConnector.ConnectAsync(appliance.Https, a.NodeKey, "127.0.0.1", certificate).WaitAsync(Wait);
        await using var derpB = await DerpHttpConnector.ConnectAsync(appliance.Https, b.NodeKey, "127.0.0.1", certificate).WaitAsync(Wait);
        await derpA.SendPacketAsync(b.NodeKey.Public, "through the appliance"u8.ToArray());
        var received = await derpB.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
        Assert.Equal(a.NodeKey.Public, received!.Key);
        Assert.Equal("through the appliance"u8.ToArray(), received.Data);

        await Assert.ThrowsAnyAsync<IOException>(() =>
            DerpHttpConnector.ConnectAsync(appliance.Https, NodePrivate.Generate(), "127.0.0.1", certificate).WaitAsync(Wait));

        var nodes = await appliance.Admin.GetStringAsync(new Uri("http://admin/api/v1/nodes"));
        Assert.Contains("relay-b", nodes, StringComparison.Ordinal);
        await a.StartMapPollAsync();
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Count == 1, Wait));
        using (var deleted = await appliance.Admin.DeleteAsync(new Uri($"http://admin/api/v1/nodes/{a.Peers.Keys.Single()}")))
        {
            Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        }

        Assert.True(await a.WaitUntilAsync(n => n.Peers.Count == 0, Wait), "the coordinator did not drop the deleted node");
        var relay = appliance.Services.GetRequiredService<DerpServer>();
        Assert.True(await EventuallyAsync(() => !relay.IsConnected(b.NodeKey.Public)), "the relay still holds the deleted node's connection");
        Assert.True(await ClosedAsync(derpB), "the deleted node's relay connection stays open on the client side");
        await Assert.ThrowsAnyAsync<IOException>(() =>
            DerpHttpConnector.ConnectAsync(appliance.Https, b.NodeKey, "127.0.0.1", certificate).WaitAsync(Wait));
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    /// <summary>True once the server closes the connection (frames such as keep-alives before that are skipped).</summary>
    private static async Task<bool> ClosedAsync(DerpTestClient client)
    {
        try
        {
            while (await client.ReceiveAsync().WaitAsync(Wait) is not null)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
