using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;
using Appliance.TestKit.Derp;

namespace Appliance.Derp.Tests.Relay;

/// <summary>
/// The packet path gathers each read buffer's packets per destination (DerpConnection.Batch): what a receiver gets,
/// in what order, and what the counters say must be exactly what it was when every packet was queued on its own.
/// </summary>
public class BatchingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Packets_of_one_burst_to_two_destinations_arrive_complete_and_in_order_with_exact_counters()
    {
        await using var derp = new InMemoryDerp(new DerpServerOptions { SendQueuePackets = 4096 });
        var (sender, _) = await derp.ConnectAsync();
        var (b, _) = await derp.ConnectAsync();
        var (c, _) = await derp.ConnectAsync();
        var random = new Random(16);
        var sentTo = new List<byte[]>[] { [], [] };
        long payloadBytes = 0;

        // One flush, so the relay reads it in as few buffers as the pipe gives: sizes from 1 byte to the largest
        // packet, so batches fill up, overflow into a new buffer, and a packet bigger than a batch buffer gets its own.
        for (var i = 0; i < 400; i++)
        {
            var size = i % 97 == 0 ? DerpConstants.MaxPacketSize : random.Next(1, 1500);
            var packet = new byte[size];
            random.NextBytes(packet);
            BitConverter.TryWriteBytes(packet, i);
            var to = i % 3 == 0 ? 1 : 0;
            sender.WritePacket(to == 0 ? b.PublicKey : c.PublicKey, packet);
            sentTo[to].Add(packet);
            payloadBytes += size;
        }

        await sender.FlushAsync();

        foreach (var (receiver, expected) in new[] { (b, sentTo[0]), (c, sentTo[1]) })
        {
            foreach (var packet in expected)
            {
                var frame = await receiver.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
                Assert.Equal(sender.PublicKey, frame!.Key);
                Assert.Equal(packet, frame.Data);
            }
        }

        await WaitForAsync(() => derp.Server.Metrics.PacketsRelayed == 400);
        Assert.Equal(payloadBytes, derp.Server.Metrics.BytesRelayed);
        Assert.Equal(0, derp.Server.Metrics.PacketsDroppedQueueFull);
        Assert.Equal(0, derp.Server.Metrics.PacketsDroppedGone);
    }

    [Fact]
    public async Task Packets_read_before_a_protocol_error_in_the_same_buffer_are_still_delivered()
    {
        await using var derp = new InMemoryDerp();
        var (sender, accept) = await derp.ConnectAsync();
        var (receiver, _) = await derp.ConnectAsync();

        for (var i = 0; i < 3; i++)
        {
            sender.WritePacket(receiver.PublicKey, BitConverter.GetBytes(i));
        }

        // A SendPacket too short to hold a destination key, in the same write: the connection is cut after the three.
        await sender.SendFrameAsync(DerpFrameType.SendPacket, new byte[5]);

        Assert.Equal(DerpCloseReason.ProtocolError, await accept.WaitAsync(Wait));
        for (var i = 0; i < 3; i++)
        {
            var frame = await receiver.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
            Assert.Equal(i, BitConverter.ToInt32(frame!.Data));
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(10);
        }
    }
}
