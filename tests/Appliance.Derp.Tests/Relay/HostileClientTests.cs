using System.Buffers.Binary;
using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;

namespace Appliance.Derp.Tests.Relay;

public class HostileClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_unknown_node_key_is_refused_after_its_ClientInfo_and_counted()
    {
        await using var derp = new InMemoryDerp();
        var (input, output, accept) = derp.Open();
        var stranger = DerpTestClient.CreateRaw(input, output, NodePrivate.Generate());

        await stranger.ReadServerKeyAsync().WaitAsync(Wait);
        await stranger.SendClientInfoAsync(new DerpClientInfo { CanAckPings = true });

        Assert.Equal(DerpCloseReason.NotAdmitted, await accept.WaitAsync(Wait));
        Assert.Null(await stranger.ReceiveAsync().WaitAsync(Wait));
        Assert.Equal(1, derp.Server.Metrics.ConnectionsRefusedAdmission);
        Assert.False(derp.Server.IsConnected(stranger.PublicKey));
    }

    [Fact]
    public async Task A_ClientInfo_box_that_does_not_open_is_refused()
    {
        await using var derp = new InMemoryDerp();
        var key = NodePrivate.Generate();
        ((Admission.AllowListDerpAdmission)derp.Admission).Add(key.Public);
        var (input, output, accept) = derp.Open();
        var client = DerpTestClient.CreateRaw(input, output, key);
        var serverKey = await client.ReadServerKeyAsync().WaitAsync(Wait);

        var payload = DerpHandshakeBox.SealClientInfo(new DerpClientInfo(), key, serverKey);
        payload[^1] ^= 0x80;
        await client.SendFrameAsync(DerpFrameType.ClientInfo, payload);

        Assert.Equal(DerpCloseReason.HandshakeFailed, await accept.WaitAsync(Wait));
        Assert.Equal(1, derp.Server.Metrics.HandshakeFailures);
    }

    [Fact]
    public async Task A_first_frame_other_than_ClientInfo_is_refused()
    {
        await using var derp = new InMemoryDerp();
        var (input, output, accept) = derp.Open();
        var client = DerpTestClient.CreateRaw(input, output, NodePrivate.Generate());
        _ = await client.ReadServerKeyAsync().WaitAsync(Wait);

        await client.SendFrameAsync(DerpFrameType.SendPacket, new byte[40]);

        Assert.Equal(DerpCloseReason.HandshakeFailed, await accept.WaitAsync(Wait));
    }

    [Fact]
    public async Task An_oversized_ClientInfo_length_is_refused_from_its_header()
    {
        await using var derp = new InMemoryDerp();
        var (input, output, accept) = derp.Open();
        var client = DerpTestClient.CreateRaw(input, output, NodePrivate.Generate());
        _ = await client.ReadServerKeyAsync().WaitAsync(Wait);
        var header = new byte[5];
        header[0] = (byte)DerpFrameType.ClientInfo;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), DerpConstants.MaxClientInfoLength + 1);

        await client.SendRawAsync(header);

        Assert.Equal(DerpCloseReason.HandshakeFailed, await accept.WaitAsync(Wait));
    }

    [Fact]
    public async Task An_oversized_frame_closes_only_that_connection()
    {
        await using var derp = new InMemoryDerp();
        var (hostile, hostileAccept) = await derp.ConnectAsync();
        var (a, _) = await derp.ConnectAsync();
        var (b, _) = await derp.ConnectAsync();
        var header = new byte[5];
        header[0] = (byte)DerpFrameType.SendPacket;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), uint.MaxValue);

        await hostile.SendRawAsync(header);

        Assert.Equal(DerpCloseReason.ProtocolError, await hostileAccept.WaitAsync(Wait));
        Assert.Equal(1, derp.Server.Metrics.ProtocolErrors);
        await a.SendPacketAsync(b.PublicKey, new byte[] { 1 });
        Assert.Equal(new byte[] { 1 }, (await b.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait))!.Data);
    }

    [Theory]
    [InlineData(DerpFrameType.WatchConns, 0)]
    [InlineData(DerpFrameType.ClosePeer, 32)]
    [InlineData(DerpFrameType.ForwardPacket, 70)]
    [InlineData(DerpFrameType.NotePreferred, 2)]
    [InlineData(DerpFrameType.Ping, 4)]
    [InlineData(DerpFrameType.SendPacket, 31)]
    public async Task Mesh_frames_and_malformed_frames_close_the_connection(DerpFrameType type, int length)
    {
        await using var derp = new InMemoryDerp();
        var (client, accept) = await derp.ConnectAsync();

        await client.SendFrameAsync(type, new byte[length]);

        Assert.Equal(DerpCloseReason.ProtocolError, await accept.WaitAsync(Wait));
    }

    [Fact]
    public async Task A_slow_receiver_does_not_stall_another_pair_and_its_drops_are_counted()
    {
        // The slow client does not read; its pipe pauses the server's flushes after 4 KiB, so its queue (4 packets) fills
        // and the rest of the flood is dropped and counted.
        var options = new DerpServerOptions { SendQueuePackets = 4 };
        await using var derp = new InMemoryDerp(options);
        var smallPipe = new System.IO.Pipelines.PipeOptions(pauseWriterThreshold: 4096, resumeWriterThreshold: 2048);
        var (slow, _) = await derp.ConnectAsync(clientReceiveOptions: smallPipe);
        var (flooder, _) = await derp.ConnectAsync();
        var (fastSender, _) = await derp.ConnectAsync();
        var (fastReceiver, _) = await derp.ConnectAsync();
        var packet = new byte[1400];
        const int Flood = 200;

        for (var i = 0; i < Flood; i++)
        {
            flooder.WritePacket(slow.PublicKey, packet);
        }

        await flooder.FlushAsync();
        for (var i = 0; i < 50; i++)
        {
            await fastSender.SendPacketAsync(fastReceiver.PublicKey, BitConverter.GetBytes(i));
            var received = await fastReceiver.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
            Assert.Equal(i, BitConverter.ToInt32(received!.Data));
        }

        // The flooder's read loop is sequential: its Pong means every SendPacket before it was routed, so the drop
        // count is final (polling the counter raced with that loop on a loaded machine).
        await flooder.SendPingAsync(new byte[8]);
        Assert.NotNull(await flooder.ReceiveAsync(DerpFrameType.Pong).WaitAsync(Wait));
        var dropped = derp.Server.Metrics.PacketsDroppedQueueFull;

        // What the server may hold for the slow client instead of dropping: its queue, plus what its write loop has
        // written into the transport (up to the 64 KiB flush batch and the pipe's 4 KiB pause threshold). How much of
        // the batch fills depends on scheduling, which is why an exact count here was flaky.
        const int FrameLength = 5 + 32 + 1400;
        const int MaxHeldInTransport = ((64 * 1024) + 4096) / FrameLength + 2;
        Assert.InRange(dropped, Flood - options.SendQueuePackets - MaxHeldInTransport, Flood - options.SendQueuePackets);

        // Conservation: once the slow client reads, it gets exactly the packets that were not counted as dropped. Its
        // own Pong is queued behind them, so it marks the end.
        await slow.SendPingAsync(new byte[8]);
        var delivered = 0;
        while (await slow.ReceiveAsync().WaitAsync(Wait) is { } frame && frame.Type != DerpFrameType.Pong)
        {
            delivered += frame.Type == DerpFrameType.RecvPacket ? 1 : 0;
        }

        Assert.Equal(Flood, delivered + dropped);
    }

    [Fact]
    public async Task Mutated_frame_streams_after_the_handshake_never_break_the_server()
    {
        await using var derp = new InMemoryDerp();
        var (peer, _) = await derp.ConnectAsync();
        var random = new Random(1125);
        for (var round = 0; round < 40; round++)
        {
            var (client, accept) = await derp.ConnectAsync();
            var stream = new List<byte>();
            for (var f = 0; f < 20; f++)
            {
                var type = (DerpFrameType)random.Next(0, 0x18);
                var body = new byte[random.Next(0, 80)];
                random.NextBytes(body);
                if (type == DerpFrameType.SendPacket && body.Length >= 32)
                {
                    peer.PublicKey.CopyTo(body);
                }

                var frame = new byte[5 + body.Length];
                _ = DerpFrameWriter.TryWriteFrame(frame, type, body, out _);
                if (random.Next(10) == 0)
                {
                    frame[random.Next(frame.Length)] = (byte)random.Next(256);
                }

                stream.AddRange(frame);
            }

            await client.SendRawAsync(stream.ToArray());
            await client.DisposeAsync();
            var reason = await accept.WaitAsync(Wait);
            Assert.True(reason is DerpCloseReason.ClientClosed or DerpCloseReason.ProtocolError, reason.ToString());
        }

        await peer.SendPingAsync(new byte[8]);
        Assert.NotNull(await peer.ReceiveAsync(DerpFrameType.Pong).WaitAsync(Wait));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }
}
