using Appliance.Protocol.Keys;
using Appliance.TestKit.Buffers;
using Appliance.TestKit.Noise;

namespace Appliance.Control.Tests.Noise;

/// <summary>
/// A parked long-poll is the normal state of every connected node, so an idle Noise session must hold no read
/// buffer: both pipes use zero-byte reads and the NoiseStream rents its plaintext buffer only while bytes wait.
/// </summary>
public sealed class NoiseIdleBufferTests
{
    [Fact]
    public async Task An_idle_session_with_a_parked_request_holds_no_rented_buffer()
    {
        var pipes = new CountingMemoryPool();
        var records = new CountingArrayPool();
        await using var server = await NoiseTestServer.StartAsync(configure: o =>
        {
            o.PipePoolForTesting = pipes;
            o.RecordPoolForTesting = records;
        });
        await using var client = await NoiseControlClient.ConnectAsync(server.BaseUri, MachinePrivate.Generate(), server.ServerKey, 133);

        // Traffic first, so the pools are known to be the ones the session uses.
        var response = await client.Http.PostAsync("test/echo", new ByteArrayContent(new byte[20_000]));
        Assert.Equal("20000", await response.Content.ReadAsStringAsync());
        Assert.True(pipes.Rented > 0, "the session's pipes never rented from the pool under test");
        Assert.True(records.Rented > 0, "the Noise records never rented from the pool under test");

        // Then park a request, as a long-poll does, and let the connection go quiet.
        var parked = client.Http.PostAsync("test/wait", null);
        while (Volatile.Read(ref server.Waiting) < 1)
        {
            await Task.Delay(10);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((pipes.Outstanding != 0 || records.Outstanding != 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, pipes.Outstanding);
        Assert.Equal(0, records.Outstanding);

        // Quiet for a while longer: still nothing held, and the session still works.
        await Task.Delay(300);
        Assert.Equal(0, pipes.Outstanding + records.Outstanding);
        server.Release.SetResult();
        Assert.Equal("released", await (await parked).Content.ReadAsStringAsync());
    }
}
