using System.Net;
using System.Text;
using Appliance.Protocol.Control;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Control;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.ServerTests.Control;

public sealed class ControlEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Two_nodes_register_with_a_pre_auth_key_and_see_each_other()
    {
        await using var server = await ControlTestServer.StartAsync();
        var key = server.CreateKey();
        await using var a = server.NewNode("node-a");
        await using var b = server.NewNode("node-b");

        var reg = await a.Node.RegisterAsync(key);
        Assert.Equal(HttpStatusCode.OK, reg.Status);
        Assert.True(reg.Response!.MachineAuthorized);
        Assert.Equal("alice", reg.Response.Login.LoginName);
        Assert.Equal(HttpStatusCode.OK, (await b.Node.RegisterAsync(key)).Status);

        Assert.True(await a.Node.StartMapPollAsync() == HttpStatusCode.OK, a.Node.LastError);
        Assert.Equal(HttpStatusCode.OK, await b.Node.StartMapPollAsync());
        Assert.True(await a.Node.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Name == "node-b.tailnet.internal." && p.Online == true), Wait));
        Assert.True(await b.Node.WaitUntilAsync(n => n.Peers.Values.Any(p => p.Name == "node-a.tailnet.internal."), Wait));
        Assert.True(a.Node.Self!.MachineAuthorized);
        Assert.Equal(["100.64.0.1/32", "fd7a:115c:a1e0::1/128"], a.Node.Self.Addresses);
    }

    [Fact]
    public async Task An_endpoint_change_reaches_the_peer_as_a_delta_within_a_second()
    {
        await using var server = await ControlTestServer.StartAsync();
        var (a, b) = await server.StartPairAsync(pollB: true);
        var before = a.MessagesReceived;

        Assert.Equal(HttpStatusCode.OK, await b.SendLiteUpdateAsync(["192.0.2.7:41641"], preferredDerp: 900));
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Values.Single().Endpoints?.Contains("192.0.2.7:41641") == true, TimeSpan.FromSeconds(1)));
        Assert.Equal(900, a.Peers.Values.Single().HomeDERP);
        Assert.True(a.MessagesReceived > before);
    }

    [Fact]
    public async Task Expire_and_delete_remove_the_peer_and_end_the_deleted_nodes_poll()
    {
        await using var server = await ControlTestServer.StartAsync();
        var (a, b) = await server.StartPairAsync(pollB: true);
        var bId = a.Peers.Keys.Single();

        server.Coordinator.Expire(bId);
        Assert.True(await a.WaitUntilAsync(n => n.Peers[bId].Expired, Wait));
        Assert.True(await b.WaitUntilAsync(n => n.Self!.KeyExpiry <= DateTimeOffset.UtcNow, Wait));

        server.Coordinator.Delete(bId);
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Count == 0, Wait));
        Assert.True(await b.WaitUntilAsync(n => n.PollEnded, Wait));
        Assert.Equal(HttpStatusCode.NotFound, await b.StartMapPollAsync());
    }

    [Fact]
    public async Task A_reconnecting_node_resumes_with_a_full_map()
    {
        await using var server = await ControlTestServer.StartAsync();
        var (a, b) = await server.StartPairAsync();
        await b.StartMapPollAsync();
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Values.Single().Online == true, Wait));

        await b.StopMapPollAsync();
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Values.Single().Online == false, Wait));

        var restart = await b.RegisterAsync(null);
        Assert.True(restart.Response!.MachineAuthorized);
        Assert.Equal(HttpStatusCode.OK, await b.StartMapPollAsync());
        Assert.True(await b.WaitUntilAsync(n => n.Peers.Count == 1 && n.Self is not null, Wait));
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Values.Single().Online == true, Wait));
    }

    [Fact]
    public async Task An_ephemeral_node_disappears_after_the_inactivity_timeout()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ControlTestServer.StartAsync(o => o.CoalesceWindow = TimeSpan.Zero, time);
        await using var a = server.NewNode("a");
        await using var e = server.NewNode("temp");
        await a.Node.RegisterAsync(server.CreateKey());
        await e.Node.RegisterAsync(server.CreateKey(ephemeral: true));
        await a.Node.StartMapPollAsync();
        await e.Node.StartMapPollAsync();
        Assert.True(await a.Node.WaitUntilAsync(n => n.Peers.Count == 1 && n.Peers.Values.Single().Online == true, Wait));

        await e.Node.StopMapPollAsync();
        Assert.True(await a.Node.WaitUntilAsync(n => n.Peers.Values.Single().Online == false, Wait));
        time.Advance(TimeSpan.FromMinutes(31));
        Assert.True(await a.Node.WaitUntilAsync(n => n.Peers.Count == 0, Wait));
    }

    [Theory]
    [InlineData("used")]
    [InlineData("expired")]
    [InlineData("bogus")]
    public async Task A_bad_used_or_expired_key_gets_an_error_and_no_node(string kind)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await ControlTestServer.StartAsync(time: time);
        var key = kind switch
        {
            "used" => server.CreateKey(reusable: false),
            "expired" => server.CreateKey(expiration: TimeSpan.FromMinutes(1)),
            _ => "appliance-auth-not-a-real-key",
        };
        if (kind == "used")
        {
            await using var first = server.NewNode("first");
            Assert.Equal("", (await first.Node.RegisterAsync(key)).Response!.Error);
        }

        time.Advance(TimeSpan.FromMinutes(2));
        var before = server.Coordinator.Snapshot.Nodes.Count;
        await using var node = server.NewNode("victim");
        var reg = await node.Node.RegisterAsync(key);
        Assert.Equal(HttpStatusCode.OK, reg.Status);
        Assert.NotEqual("", reg.Response!.Error);
        Assert.False(reg.Response.MachineAuthorized);
        Assert.Equal(before, server.Coordinator.Snapshot.Nodes.Count);
    }

    [Fact]
    public async Task Hostile_map_requests_get_errors_and_other_nodes_are_unaffected()
    {
        await using var server = await ControlTestServer.StartAsync();
        var (a, b) = await server.StartPairAsync();
        var nodeKey = b.NodeKey.Public.ToString();

        var hostile = new[]
        {
            "{not json",
            "{\"Version\":133,\"NodeKey\":\"nodekey:zz\"}",
            "{\"Version\":133,\"NodeKey\":\"" + nodeKey + "\",\"Hostinfo\":{\"Hostname\":\"" + new string('x', 100_000) + "\"}}",
            "{\"Version\":133,\"NodeKey\":\"" + nodeKey + "\",\"Hostinfo\":{\"X\":" + new string('[', 10_000) + new string(']', 10_000) + "}}",
            "{\"Version\":133,\"NodeKey\":\"" + nodeKey + "\",\"Endpoints\":[\"nope\"]}",
            "{\"Version\":100,\"NodeKey\":\"" + nodeKey + "\"}",
        };
        foreach (var body in hostile)
        {
            var (status, _) = await b.PostRawMapAsync(Encoding.UTF8.GetBytes(body));
            Assert.Equal(HttpStatusCode.BadRequest, status);
        }

        var (tooBig, _) = await b.PostRawMapAsync(new byte[ControlJson.MaxRequestBytes + 10]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig);

        Assert.Equal("b", a.Peers.Values.Single().Hostinfo!.Hostname);
        Assert.Equal(HttpStatusCode.OK, await b.SendLiteUpdateAsync(["192.0.2.9:1"]));
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Values.Single().Endpoints?.Contains("192.0.2.9:1") == true, Wait));
    }

    [Fact]
    public async Task Requests_that_did_not_arrive_over_noise_are_refused()
    {
        await using var server = await ControlTestServer.StartAsync();
        using var client = server.ClientFor(MachinePrivate.Generate().Public, noise: false);
        using var response = await client.PostAsync(new Uri("/machine/register", UriKind.Relative), new ByteArrayContent("{}"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task A_node_key_claimed_by_another_machine_is_refused()
    {
        await using var server = await ControlTestServer.StartAsync();
        await using var a = server.NewNode("a");
        await a.Node.RegisterAsync(server.CreateKey());
        var machine = MachinePrivate.Generate().Public;
        var intruder = new TestNode(server.ClientFor(machine), machine, "intruder");
        var response = await intruder.PostRegisterAsync(new RegisterRequest { Version = 133, NodeKey = a.Node.NodeKey.Public, Hostinfo = intruder.Hostinfo });
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    [Fact]
    public async Task Interactive_registration_waits_for_approval_then_succeeds()
    {
        await using var server = await ControlTestServer.StartAsync();
        server.Identity.CreateUser("bob");
        await using var a = server.NewNode("laptop");
        var first = await a.Node.RegisterAsync(null);
        var url = first.Response!.AuthURL;
        Assert.Contains("/register/", url, StringComparison.Ordinal);

        var followup = a.Node.RegisterAsync(null, followup: url);
        await Task.Delay(200);
        Assert.False(followup.IsCompleted);
        var id = url[(url.LastIndexOf('/') + 1)..];
        Assert.Equal(Appliance.State.Coordinator.ApprovalStatus.Approved, server.Coordinator.ApproveRegistration(id, "bob"));
        var done = await followup.WaitAsync(Wait);
        Assert.True(done.Response!.MachineAuthorized);
        Assert.Equal("bob", done.Response.Login.LoginName);
        Assert.Equal(HttpStatusCode.OK, await a.Node.StartMapPollAsync());
    }

    [Fact]
    public async Task Key_rotation_reaches_peers()
    {
        await using var server = await ControlTestServer.StartAsync();
        var (a, b) = await server.StartPairAsync();
        var rotated = await b.RotateKeyAsync();
        Assert.True(rotated.Response!.MachineAuthorized);
        Assert.True(await a.WaitUntilAsync(n => n.Peers.Values.Single().Key == b.NodeKey.Public, Wait));
    }

    [Fact]
    public async Task Logout_expires_the_node_even_when_the_auth_key_is_resent()
    {
        await using var server = await ControlTestServer.StartAsync();
        var key = server.CreateKey(reusable: false);
        await using var a = server.NewNode("a");
        await a.Node.RegisterAsync(key);
        var logout = await a.Node.RegisterAsync(key, expiry: DateTimeOffset.FromUnixTimeSeconds(123));
        Assert.True(logout.Response!.NodeKeyExpired);
        Assert.Equal("", logout.Response.Error);
    }
}
