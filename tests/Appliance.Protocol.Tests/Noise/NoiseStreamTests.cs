using System.IO.Pipelines;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;
using Appliance.TestKit.Buffers;

namespace Appliance.Protocol.Tests.Noise;

public sealed class NoiseStreamTests
{
    /// <summary>A connected client/server pair of NoiseStreams over in-memory pipes, after a real handshake.</summary>
    private static (NoiseStream Client, NoiseStream Server, Pipe ClientToServer, Pipe ServerToClient) Connect()
    {
        var serverKey = MachinePrivate.Generate();
        var initiator = NoiseInitiator.Create(MachinePrivate.Generate(), serverKey.Public, 133);
        Assert.True(NoiseResponder.TryRespond(serverKey, initiator.Initiation.Span, out var accepted, out _));
        var clientKeys = initiator.Finish(accepted!.Response.Span);
        var c2s = new Pipe();
        var s2c = new Pipe();
        var client = new NoiseStream(s2c.Reader, c2s.Writer.AsStream(), clientKeys);
        var server = new NoiseStream(c2s.Reader, s2c.Writer.AsStream(), accepted.Keys);
        return (client, server, c2s, s2c);
    }

    [Fact]
    public async Task A_zero_byte_read_waits_for_a_record_without_a_buffer_and_consumes_nothing()
    {
        var serverKey = MachinePrivate.Generate();
        var initiator = NoiseInitiator.Create(MachinePrivate.Generate(), serverKey.Public, 133);
        Assert.True(NoiseResponder.TryRespond(serverKey, initiator.Initiation.Span, out var accepted, out _));
        var c2s = new Pipe();
        var pool = new CountingArrayPool();
        await using var client = new NoiseStream(new Pipe().Reader, c2s.Writer.AsStream(), initiator.Finish(accepted!.Response.Span));
        await using var server = new NoiseStream(c2s.Reader, Stream.Null, accepted.Keys, pool);

        var waiting = server.ReadAsync(Memory<byte>.Empty).AsTask();
        await Task.Delay(50);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(0, pool.Outstanding);

        await client.WriteAsync("hello"u8.ToArray());
        Assert.Equal(0, await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, pool.Outstanding);

        var buffer = new byte[16];
        var n = await server.ReadAsync(buffer);
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
        Assert.Equal(0, pool.Outstanding);
    }

    [Fact]
    public async Task Large_writes_arrive_intact_in_records_of_at_most_4096_bytes()
    {
        var (client, server, c2s, _) = Connect();
        var data = new byte[50_000];
        new Random(1).NextBytes(data);

        // Tap the raw bytes: read frames from a copy of what the client wrote.
        var raw = new Pipe();
        var tapped = new NoiseStream(new Pipe().Reader, raw.Writer.AsStream(), NewKeys());
        await tapped.WriteAsync(data);
        var rawResult = await raw.Reader.ReadAsync();
        var buffer = rawResult.Buffer;
        var records = 0;
        while (NoiseFrameReader.TryReadRecord(ref buffer, out var ciphertext))
        {
            Assert.True(ciphertext.Length + 3 <= NoiseConstants.MaxMessageSize);
            records++;
        }

        Assert.Equal((50_000 + 4076) / 4077, records);
        Assert.True(buffer.IsEmpty);

        await client.WriteAsync(data);
        var received = new byte[data.Length];
        await server.ReadExactlyAsync(received);
        Assert.Equal(data, received);
        _ = c2s;
    }

    [Fact]
    public async Task Both_directions_work_concurrently()
    {
        var (client, server, _, _) = Connect();
        var up = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await client.WriteAsync(new byte[1000]);
            }
        });
        var down = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await server.WriteAsync(new byte[777]);
            }
        });
        var fromClient = new byte[200_000];
        var fromServer = new byte[200 * 777];
        await Task.WhenAll(up, down, server.ReadExactlyAsync(fromClient).AsTask(), client.ReadExactlyAsync(fromServer).AsTask());
    }

    [Fact]
    public async Task One_byte_trickle_of_the_wire_still_yields_the_plaintext()
    {
        var serverKey = MachinePrivate.Generate();
        var initiator = NoiseInitiator.Create(MachinePrivate.Generate(), serverKey.Public, 133);
        Assert.True(NoiseResponder.TryRespond(serverKey, initiator.Initiation.Span, out var accepted, out _));
        using var clientKeys = initiator.Finish(accepted!.Response.Span);
        var wire = new byte[200];
        var n = clientKeys.Send.SealRecord("trickled"u8, wire);
        var m = clientKeys.Send.SealRecord(" bytes"u8, wire.AsSpan(n));

        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        await using var server = new NoiseStream(pipe.Reader, Stream.Null, accepted.Keys);
        var reading = Task.Run(async () =>
        {
            var got = new byte[14];
            await server.ReadExactlyAsync(got);
            return got;
        });
        for (var i = 0; i < n + m; i++)
        {
            await pipe.Writer.WriteAsync(wire.AsMemory(i, 1));
            await Task.Yield();
        }

        Assert.Equal("trickled bytes"u8.ToArray(), await reading);
    }

    [Fact]
    public async Task A_tampered_record_fails_the_stream_for_good()
    {
        var serverKey = MachinePrivate.Generate();
        var initiator = NoiseInitiator.Create(MachinePrivate.Generate(), serverKey.Public, 133);
        Assert.True(NoiseResponder.TryRespond(serverKey, initiator.Initiation.Span, out var accepted, out _));
        using var clientKeys = initiator.Finish(accepted!.Response.Span);
        var wire = new byte[100];
        var n = clientKeys.Send.SealRecord("hello"u8, wire);
        wire[n - 1] ^= 1;
        var m = clientKeys.Send.SealRecord("again"u8, wire.AsSpan(n));

        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(wire.AsMemory(0, n + m));
        await using var server = new NoiseStream(pipe.Reader, Stream.Null, accepted.Keys);
        await Assert.ThrowsAsync<NoiseProtocolException>(async () => _ = await server.ReadAsync(new byte[10]));
        await Assert.ThrowsAsync<NoiseProtocolException>(async () => _ = await server.ReadAsync(new byte[10]));
    }

    [Fact]
    public async Task End_of_stream_between_records_is_a_clean_zero_read_and_inside_a_record_is_an_error()
    {
        var (client, server, c2s, _) = Connect();
        await client.WriteAsync("x"u8.ToArray());
        await c2s.Writer.CompleteAsync();
        var buffer = new byte[4];
        Assert.Equal(1, await server.ReadAsync(buffer));
        Assert.Equal(0, await server.ReadAsync(buffer));

        var (_, server2, c2s2, _) = Connect();
        await c2s2.Writer.WriteAsync(new byte[] { 0x04, 0x00, 0x20, 0x01 });
        await c2s2.Writer.CompleteAsync();
        await Assert.ThrowsAsync<NoiseProtocolException>(async () => _ = await server2.ReadAsync(buffer));
    }

    [Fact]
    public async Task Early_payload_is_consumed_and_the_following_bytes_are_kept()
    {
        var (client, server, _, _) = Connect();
        var challenge = ChallengePublic.FromRaw(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var early = EarlyNoise.Create(challenge);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0x54, 0x53 }, early[..5]);
        Assert.StartsWith("{\"nodeKeyChallenge\":\"chalpub:0102", System.Text.Encoding.UTF8.GetString(early.AsSpan(9)), StringComparison.Ordinal);

        // Split over three records as headscale does, then HTTP/2 bytes.
        await server.WriteAsync(early.AsMemory(0, 5));
        await server.WriteAsync(early.AsMemory(5, 4));
        await server.WriteAsync(early.AsMemory(9));
        await server.WriteAsync("PRI * HTTP/2.0"u8.ToArray());

        Assert.Equal(challenge, await client.ReadEarlyPayloadAsync());
        var rest = new byte[14];
        await client.ReadExactlyAsync(rest);
        Assert.Equal("PRI * HTTP/2.0"u8.ToArray(), rest);
    }

    [Fact]
    public async Task Without_an_early_payload_nothing_is_consumed()
    {
        var (client, server, _, _) = Connect();
        await server.WriteAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0, 42 });
        Assert.Null(await client.ReadEarlyPayloadAsync());
        var rest = new byte[10];
        await client.ReadExactlyAsync(rest);
        Assert.Equal(42, rest[9]);
    }

    private static NoiseSessionKeys NewKeys()
    {
        var serverKey = MachinePrivate.Generate();
        var initiator = NoiseInitiator.Create(MachinePrivate.Generate(), serverKey.Public, 133);
        Assert.True(NoiseResponder.TryRespond(serverKey, initiator.Initiation.Span, out var accepted, out _));
        accepted!.Keys.Dispose();
        return initiator.Finish(accepted.Response.Span);
    }
}
