using Appliance.Derp.Relay;
using Appliance.Protocol.Derp;

namespace Appliance.Derp.Tests.Relay;

/// <summary>
/// The relay's batch buffers (RelayBufferPool): blocks are reused instead of allocated, small rentals stay with the
/// shared pool, the pool never keeps more than its capacity, and the heartbeat gives idle blocks back.
/// </summary>
public class RelayBufferPoolTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_returned_block_is_the_one_the_next_rental_gets()
    {
        var pool = new RelayBufferPool(capacity: 4);
        var first = pool.Rent(RelayBufferPool.SharedLimit + 1);
        Assert.Equal(RelayBufferPool.BlockSize, first.Length);
        pool.Return(first);
        Assert.Equal(1, pool.Free);

        Assert.Same(first, pool.Rent(RelayBufferPool.BlockSize));
        Assert.Equal(0, pool.Free);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(RelayBufferPool.SharedLimit)]
    [InlineData(RelayBufferPool.BlockSize + 1)]
    public void Rentals_outside_the_block_range_are_not_kept(int length)
    {
        var pool = new RelayBufferPool(capacity: 4);
        var buffer = pool.Rent(length);
        Assert.True(buffer.Length >= length);
        Assert.NotEqual(RelayBufferPool.BlockSize, buffer.Length);
        pool.Return(buffer);
        Assert.Equal(0, pool.Free);
    }

    [Fact]
    public void The_pool_keeps_no_more_than_its_capacity()
    {
        var pool = new RelayBufferPool(capacity: 2);
        var blocks = Enumerable.Range(0, 5).Select(_ => pool.Rent(RelayBufferPool.BlockSize)).ToList();
        Assert.Equal(5, blocks.Distinct().Count());
        foreach (var block in blocks)
        {
            pool.Return(block);
        }

        Assert.Equal(2, pool.Free);
    }

    [Fact]
    public void Trim_lets_go_of_half_the_blocks_unused_since_the_last_trim_and_keeps_those_in_use()
    {
        var pool = new RelayBufferPool(capacity: 16);
        var blocks = Enumerable.Range(0, 8).Select(_ => pool.Rent(RelayBufferPool.BlockSize)).ToList();
        foreach (var block in blocks)
        {
            pool.Return(block);
        }

        // All eight were rented and returned since the last trim, but before it nothing was free: none is idle yet.
        Assert.Equal(0, pool.Trim());
        Assert.Equal(8, pool.Free);

        // A period in which three were needed at once: five stayed free throughout; three of those go (half, rounded up).
        var inUse = Enumerable.Range(0, 3).Select(_ => pool.Rent(RelayBufferPool.BlockSize)).ToList();
        foreach (var block in inUse)
        {
            pool.Return(block);
        }

        Assert.Equal(3, pool.Trim());
        Assert.Equal(5, pool.Free);

        // Idle from now on: halved at every trim, down to none.
        Assert.Equal(3, pool.Trim());
        Assert.Equal(1, pool.Trim());
        Assert.Equal(1, pool.Trim());
        Assert.Equal(0, pool.Free);
        Assert.Equal(0, pool.Trim());
    }

    [Fact]
    public async Task A_burst_through_the_relay_reuses_blocks_and_the_heartbeat_gives_them_back_once_idle()
    {
        // The server's own heartbeat is an hour away, so only the beats below trim.
        await using var derp = new InMemoryDerp(new DerpServerOptions { SendQueuePackets = 4096, HeartbeatPeriod = TimeSpan.FromHours(1) });
        var (sender, _) = await derp.ConnectAsync();
        var (receiver, _) = await derp.ConnectAsync();
        var packet = new byte[1400];

        for (var burst = 0; burst < 3; burst++)
        {
            // One flush of 200 full-size packets: the relay gathers them into batch blocks for the receiver.
            for (var i = 0; i < 200; i++)
            {
                sender.WritePacket(receiver.PublicKey, packet);
            }

            await sender.FlushAsync();
            for (var i = 0; i < 200; i++)
            {
                _ = await receiver.ReceiveAsync(DerpFrameType.RecvPacket).WaitAsync(Wait);
            }
        }

        await WaitForAsync(() => derp.Server.Metrics.PacketsRelayed == 600);
        var kept = derp.Server.Buffers.Free;
        Assert.InRange(kept, 1, derp.Server.Buffers.Capacity);

        // Idle heartbeats: the first marks them unused, the following ones give them back.
        for (var beat = 0; beat < 16 && derp.Server.Buffers.Free > 0; beat++)
        {
            derp.Server.RunHeartbeat();
        }

        Assert.Equal(0, derp.Server.Buffers.Free);
        Assert.Equal(0, derp.Server.Metrics.PacketsDroppedQueueFull);
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
