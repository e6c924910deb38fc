using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;

namespace Appliance.Derp.Tests.Relay;

public class LifecycleTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task KeepAlive_is_sent_after_sixty_seconds_plus_jitter_and_not_before()
    {
        var time = new ManualTimeProvider();
        await using var derp = new InMemoryDerp(time: time);
        var (a, _) = await derp.ConnectAsync();

        time.Advance(TimeSpan.FromSeconds(59));
        derp.Server.RunHeartbeat();
        await a.SendPingAsync(new byte[8]);
        Assert.Equal(DerpFrameType.Pong, (await a.ReceiveAsync().WaitAsync(Wait))!.Type);

        time.Advance(TimeSpan.FromSeconds(6.1));
        derp.Server.RunHeartbeat();
        Assert.Equal(DerpFrameType.KeepAlive, (await a.ReceiveAsync().WaitAsync(Wait))!.Type);
        Assert.Equal(1, derp.Server.Metrics.KeepAlivesSent);
    }

    [Fact]
    public async Task Shutdown_sends_Restarting_to_every_client_as_the_last_frame()
    {
        var options = new DerpServerOptions { RestartReconnectIn = TimeSpan.FromSeconds(3), RestartTryFor = TimeSpan.FromMinutes(2) };
        var derp = new InMemoryDerp(options);
        var (a, aAccept) = await derp.ConnectAsync();
        var (b, bAccept) = await derp.ConnectAsync();

        await derp.Server.ShutdownAsync();

        foreach (var client in new[] { a, b })
        {
            var restarting = await client.ReceiveAsync(DerpFrameType.Restarting).WaitAsync(Wait);
            Assert.True(DerpFramePayloads.TryParseRestarting(restarting!.Data, out var reconnectIn, out var tryFor));
            Assert.Equal(TimeSpan.FromSeconds(3), reconnectIn);
            Assert.Equal(TimeSpan.FromMinutes(2), tryFor);
            Assert.Null(await client.ReceiveAsync().WaitAsync(Wait));
        }

        Assert.Equal(DerpCloseReason.ServerShutdown, await aAccept.WaitAsync(Wait));
        Assert.Equal(DerpCloseReason.ServerShutdown, await bAccept.WaitAsync(Wait));
        await derp.DisposeAsync();
    }

    [Fact]
    public async Task A_node_disconnected_by_the_state_is_closed()
    {
        await using var derp = new InMemoryDerp();
        var (a, accept) = await derp.ConnectAsync();

        Assert.Equal(1, derp.Server.Disconnect(a.PublicKey));

        Assert.Equal(DerpCloseReason.Disconnected, await accept.WaitAsync(Wait));
        Assert.Null(await a.ReceiveAsync().WaitAsync(Wait));
        Assert.False(derp.Server.IsConnected(a.PublicKey));
        Assert.Equal(1, derp.Server.Metrics.DisconnectedByServer);
    }

    [Fact]
    public async Task Connections_beyond_the_maximum_are_refused_after_their_handshake_and_counted()
    {
        await using var derp = new InMemoryDerp(new DerpServerOptions { MaxConnections = 1 });
        _ = await derp.ConnectAsync();

        Assert.True(derp.Server.IsAtCapacity);
        var key = NodePrivate.Generate();
        ((Admission.AllowListDerpAdmission)derp.Admission).Add(key.Public);
        var (input, output, accept) = derp.Open();
        await Assert.ThrowsAnyAsync<IOException>(() => DerpTestClient.ConnectAsync(input, output, key).WaitAsync(Wait));

        Assert.Equal(DerpCloseReason.AtCapacity, await accept.WaitAsync(Wait));
        Assert.Equal(1, derp.Server.Metrics.ConnectionsRefusedCapacity);
        Assert.Equal(1, derp.Server.Metrics.ConnectionsCurrent);
        Assert.Equal(0, derp.Server.Metrics.ConnectionsHandshaking);
    }

    [Fact]
    public async Task Junk_connections_that_never_finish_their_handshake_do_not_lock_out_real_clients()
    {
        // Issue 15: with max_connections 20, 20 junk upgrades holding their 10 s handshake window used every slot.
        await using var derp = new InMemoryDerp(new DerpServerOptions { MaxConnections = 20, MaxPendingHandshakes = 20 });
        var junk = Enumerable.Range(0, 20).Select(_ => derp.Open()).ToList();
        Assert.True(await EventuallyAsync(() => derp.Server.Metrics.ConnectionsHandshaking == 20));

        // The 21st handshaking connection is refused on its own limit ...
        var (_, _, extra) = derp.Open();
        Assert.Equal(DerpCloseReason.AtCapacity, await extra.WaitAsync(Wait));
        Assert.Equal(1, derp.Server.Metrics.ConnectionsRefusedPending);

        // ... and once a junk one gives up, a real client gets in although 19 junk connections are still open.
        await junk[0].Output.CompleteAsync();
        Assert.Equal(DerpCloseReason.HandshakeFailed, await junk[0].Accept.WaitAsync(Wait));
        var (client, _) = await derp.ConnectAsync();
        Assert.NotNull(client.ServerInfo);
        Assert.Equal(1, derp.Server.Metrics.ConnectionsCurrent);
        Assert.Equal(19, derp.Server.Metrics.ConnectionsHandshaking);
        Assert.Equal(0, derp.Server.Metrics.ConnectionsRefusedCapacity);
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

            await Task.Delay(10);
        }

        return true;
    }

    [Fact]
    public async Task A_silent_client_is_closed_after_the_handshake_timeout()
    {
        await using var derp = new InMemoryDerp(new DerpServerOptions { HandshakeTimeout = TimeSpan.FromMilliseconds(200) }, time: TimeProvider.System);
        var (_, _, accept) = derp.Open();

        Assert.Equal(DerpCloseReason.HandshakeTimeout, await accept.WaitAsync(Wait));
        Assert.Equal(1, derp.Server.Metrics.HandshakeFailures);
    }

    [Fact]
    public void Options_out_of_range_are_refused_with_every_problem_named()
    {
        var error = Assert.Throws<ArgumentException>(() => new DerpServerOptions { MaxConnections = 0, SendQueuePackets = 0 }.Validate());
        Assert.Contains("max_connections", error.Message, StringComparison.Ordinal);
        Assert.Contains("send_queue_packets", error.Message, StringComparison.Ordinal);
    }
}
