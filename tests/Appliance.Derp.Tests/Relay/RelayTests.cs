using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Derp.Tests.Relay;

public class RelayTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Two_clients_exchange_packets_through_the_relay_with_the_source_key()
    {
        await using var derp = new InMemoryDerp();
        var (a, _) = await derp.ConnectAsync();
        var (b, _) = await derp.ConnectAsync();

        await a.SendPacketAsync(b.PublicKey, "hello b"u8.ToArray());
        var atB = await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
        await b.SendPacketAsync(a.PublicKey, "hello a"u8.ToArray());
        var atA = await a.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);

        Assert.Equal(a.PublicKey, atB!.Key);
        Assert.Equal("hello b"u8.ToArray(), atB.Data);
        Assert.Equal(b.PublicKey, atA!.Key);
        Assert.Equal("hello a"u8.ToArray(), atA.Data);
        Assert.True(derp.Server.Metrics.PacketsRelayed >= 2);
        Assert.Equal(2, derp.Server.ConnectedKeys);
    }

    [Fact]
    public async Task The_largest_packet_is_relayed_intact()
    {
        await using var derp = new InMemoryDerp();
        var (a, _) = await derp.ConnectAsync();
        var (b, _) = await derp.ConnectAsync();
        var packet = new byte[DerpConstants.MaxPacketSize];
        new Random(7).NextBytes(packet);

        await a.SendPacketAsync(b.PublicKey, packet);

        Assert.Equal(packet, (await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait))!.Data);
    }

    [Fact]
    public async Task A_sender_is_told_PeerGone_disconnected_when_its_peer_leaves()
    {
        await using var derp = new InMemoryDerp();
        var (a, _) = await derp.ConnectAsync();
        var (b, bAccept) = await derp.ConnectAsync();
        await a.SendPacketAsync(b.PublicKey, new byte[10]);
        _ = await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);

        await b.DisposeAsync();
        Assert.Equal(DerpCloseReason.ClientClosed, await bAccept.WaitAsync(Wait));

        var gone = await a.ReceiveAsync(DerpFrameType.PeerGone).WaitAsync(Wait);
        Assert.Equal(b.PublicKey, gone!.Key);
        Assert.Equal(DerpPeerGoneReason.Disconnected, gone.PeerGoneReason);
        Assert.False(derp.Server.IsConnected(b.PublicKey));
    }

    [Fact]
    public async Task A_disco_packet_for_an_unknown_key_gets_PeerGone_not_here_but_other_packets_are_dropped_silently()
    {
        await using var derp = new InMemoryDerp();
        var (a, _) = await derp.ConnectAsync();
        var nobody = NodePrivate.Generate().Public;

        await a.SendPacketAsync(nobody, new byte[100]);
        await a.SendPingAsync(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        Assert.Equal(DerpFrameType.Pong, (await a.ReceiveAsync().WaitAsync(Wait))!.Type);

        var disco = new byte[6 + 32 + 24 + 16];
        DerpConstants.DiscoMagic.CopyTo(disco);
        await a.SendPacketAsync(nobody, disco);
        var gone = await a.ReceiveAsync().WaitAsync(Wait);

        Assert.Equal(DerpFrameType.PeerGone, gone!.Type);
        Assert.Equal(nobody, gone.Key);
        Assert.Equal(DerpPeerGoneReason.NotHere, gone.PeerGoneReason);
        Assert.Equal(2, derp.Server.Metrics.PacketsDroppedUnknownDestination);
    }

    [Fact]
    public async Task Not_here_answers_are_rate_limited_to_a_burst_of_three()
    {
        await using var derp = new InMemoryDerp();
        var (a, _) = await derp.ConnectAsync();
        var disco = new byte[6 + 32 + 24];
        DerpConstants.DiscoMagic.CopyTo(disco);
        for (var i = 0; i < 10; i++)
        {
            await a.SendPacketAsync(NodePrivate.Generate().Public, disco);
        }

        await a.SendPingAsync(new byte[8]);
        var goneCount = 0;
        while ((await a.ReceiveAsync().WaitAsync(Wait))!.Type == DerpFrameType.PeerGone)
        {
            goneCount++;
        }

        Assert.Equal(3, goneCount);
    }

    [Fact]
    public async Task Ping_is_answered_with_a_pong_carrying_the_first_eight_bytes()
    {
        await using var derp = new InMemoryDerp();
        var (a, _) = await derp.ConnectAsync();
        var ping = Enumerable.Range(1, 12).Select(i => (byte)i).ToArray();

        await a.SendPingAsync(ping);

        var pong = await a.ReceiveAsync(DerpFrameType.Pong).WaitAsync(Wait);
        Assert.Equal(ping[..8], pong!.Data);
    }

    [Fact]
    public async Task Unknown_frame_types_are_skipped_and_the_connection_keeps_working()
    {
        await using var derp = new InMemoryDerp();
        var (a, _) = await derp.ConnectAsync();
        var (b, _) = await derp.ConnectAsync();

        await a.SendFrameAsync((DerpFrameType)0x42, new byte[100]);
        await a.SendFrameAsync(DerpFrameType.KeepAlive, Array.Empty<byte>());
        await a.SendPacketAsync(b.PublicKey, new byte[] { 9 });

        Assert.Equal(new byte[] { 9 }, (await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait))!.Data);
    }

    [Fact]
    public async Task NotePreferred_is_accepted()
    {
        await using var derp = new InMemoryDerp();
        var (a, _) = await derp.ConnectAsync();
        await a.SendNotePreferredAsync(true);
        await a.SendPingAsync(new byte[8]);
        Assert.Equal(DerpFrameType.Pong, (await a.ReceiveAsync().WaitAsync(Wait))!.Type);
    }

    [Fact]
    public async Task The_newest_duplicate_connection_receives_and_the_older_one_takes_over_when_it_leaves()
    {
        await using var derp = new InMemoryDerp();
        var key = NodePrivate.Generate();
        var (first, _) = await derp.ConnectAsync(key);
        var (second, secondAccept) = await derp.ConnectAsync(key);
        var (sender, _) = await derp.ConnectAsync();

        await sender.SendPacketAsync(key.Public, new byte[] { 2 });
        Assert.Equal(new byte[] { 2 }, (await second.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait))!.Data);

        await second.DisposeAsync();
        await secondAccept.WaitAsync(Wait);
        await sender.SendPacketAsync(key.Public, new byte[] { 1 });
        Assert.Equal(new byte[] { 1 }, (await first.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait))!.Data);
        Assert.True(derp.Server.IsConnected(key.Public));
    }

    [Fact]
    public async Task Health_problems_reach_connected_clients()
    {
        await using var derp = new InMemoryDerp();
        var (a, _) = await derp.ConnectAsync();

        derp.Server.SetHealth("disk almost full");

        var health = await a.ReceiveAsync(DerpFrameType.Health).WaitAsync(Wait);
        Assert.Equal("disk almost full"u8.ToArray(), health!.Data);
    }
}
