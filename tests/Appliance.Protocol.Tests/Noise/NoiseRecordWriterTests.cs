using System.Buffers;
using System.IO.Pipelines;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;
using Appliance.TestKit.Buffers;

namespace Appliance.Protocol.Tests.Noise;

/// <summary>
/// The server's session output as a pipe writer that seals straight into the transport pipe (issue 16): what it
/// writes must be exactly what a peer's NoiseStream reads, in records of at most 4096 bytes, with one transport
/// flush per flush and no buffer held between flushes.
/// </summary>
public sealed class NoiseRecordWriterTests
{
    private sealed class Session : IAsyncDisposable
    {
        public Session(ArrayPool<byte>? pool = null)
        {
            var serverKey = MachinePrivate.Generate();
            var initiator = NoiseInitiator.Create(MachinePrivate.Generate(), serverKey.Public, 133);
            Assert.True(NoiseResponder.TryRespond(serverKey, initiator.Initiation.Span, out var accepted, out _));
            Wire = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
            Server = new NoiseStream(new Pipe().Reader, Wire.Writer.AsStream(), accepted!.Keys, pool);
            Client = new NoiseStream(Wire.Reader, Stream.Null, initiator.Finish(accepted.Response.Span));
            Writer = Server.CreateRecordWriter(Wire.Writer);
        }

        public Pipe Wire { get; }

        public NoiseStream Server { get; }

        public NoiseStream Client { get; }

        public NoiseRecordWriter Writer { get; }

        public async ValueTask DisposeAsync()
        {
            Writer.Complete();
            await Server.DisposeAsync();
            await Client.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(9, 0)]
    [InlineData(4077, 0)]
    [InlineData(4078, 0)]
    [InlineData(70_000, 0)]
    [InlineData(70_000, 9)]
    [InlineData(70_000, 16_384)]
    [InlineData(200_000, 100_000)]
    public async Task What_is_written_in_pieces_arrives_intact_in_records_of_at_most_4096_bytes(int length, int sizeHint)
    {
        await using var session = new Session();
        var data = new byte[length];
        new Random(length + sizeHint).NextBytes(data);

        // Kestrel's frame writer: a 9-byte header, then the payload in pieces of whatever size it asks for.
        var written = 0;
        var piece = 9;
        while (written < length)
        {
            var span = session.Writer.GetSpan(sizeHint);
            var n = Math.Min(Math.Min(piece, span.Length), length - written);
            data.AsSpan(written, n).CopyTo(span);
            session.Writer.Advance(n);
            written += n;
            piece = piece == 9 ? 5_000 : 9;
        }

        Assert.Equal(length, (int)session.Writer.UnflushedBytes + SealedPlaintext(session.Wire));
        var flushed = await session.Writer.FlushAsync();
        Assert.False(flushed.IsCompleted);
        Assert.Equal(0, session.Writer.UnflushedBytes);

        var raw = await session.Wire.Reader.ReadAsync();
        var buffer = raw.Buffer;
        var records = 0;
        while (NoiseFrameReader.TryReadRecord(ref buffer, out var ciphertext))
        {
            Assert.True(ciphertext.Length + NoiseConstants.HeaderLength <= NoiseConstants.MaxMessageSize);
            records++;
        }

        Assert.True(buffer.IsEmpty);
        Assert.Equal((length + NoiseConstants.MaxPlaintextSize - 1) / NoiseConstants.MaxPlaintextSize, records);
        session.Wire.Reader.AdvanceTo(raw.Buffer.Start);

        var received = new byte[length];
        await session.Client.ReadExactlyAsync(received);
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task Messages_flushed_one_after_another_keep_their_order_and_the_nonce_sequence()
    {
        await using var session = new Session();
        for (var i = 0; i < 50; i++)
        {
            var message = System.Text.Encoding.ASCII.GetBytes($"message {i};");
            message.CopyTo(session.Writer.GetSpan(message.Length));
            session.Writer.Advance(message.Length);
            await session.Writer.FlushAsync();
        }

        var expected = string.Concat(Enumerable.Range(0, 50).Select(i => $"message {i};"));
        var received = new byte[expected.Length];
        await session.Client.ReadExactlyAsync(received);
        Assert.Equal(expected, System.Text.Encoding.ASCII.GetString(received));
    }

    [Fact]
    public async Task No_plaintext_buffer_is_held_between_flushes_or_after_complete()
    {
        var pool = new CountingArrayPool();
        await using var session = new Session(pool);
        Assert.Equal(0, pool.Outstanding);

        session.Writer.GetSpan(100_000);
        session.Writer.Advance(100_000);
        Assert.True(pool.Outstanding > 0);
        await session.Writer.FlushAsync();
        Assert.Equal(0, pool.Outstanding);

        session.Writer.GetSpan(10);
        session.Writer.Advance(10);
        session.Writer.Complete();
        Assert.Equal(0, pool.Outstanding);
        Assert.Throws<ObjectDisposedException>(() => session.Writer.GetSpan(1));
    }

    [Fact]
    public async Task Advancing_past_the_memory_handed_out_is_refused()
    {
        await using var session = new Session();
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Writer.Advance(1));
        var handedOut = session.Writer.GetSpan(10).Length;
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Writer.Advance(handedOut + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => session.Writer.Advance(-1));
    }

    [Fact]
    public async Task An_empty_flush_writes_no_record()
    {
        await using var session = new Session();
        await session.Writer.FlushAsync();
        Assert.False(session.Wire.Reader.TryRead(out _));
    }

    /// <summary>Plaintext bytes already sealed into the transport (unflushed there) before the writer's flush.</summary>
    private static int SealedPlaintext(Pipe wire)
    {
        var unflushed = (int)wire.Writer.UnflushedBytes;
        var records = (unflushed + NoiseConstants.MaxMessageSize - 1) / NoiseConstants.MaxMessageSize;
        return unflushed - (records * (NoiseConstants.HeaderLength + NoiseConstants.TagSize));
    }
}
