using System.Text;
using Appliance.Protocol.Control;
using Appliance.TestKit.Control;

namespace Appliance.LoadGen.Tests;

/// <summary>
/// The read loop every simulated node runs (TestKit's MapStreamReader over MapMessageReader): messages cut at any
/// point by the transport, and larger than its first read buffer, arrive whole, once and in order, as the JSON the
/// server framed; the span the light nodes scan and the array TestNode parses carry the same bytes.
/// </summary>
public sealed class MapStreamReadingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4093)]
    [InlineData(70_000)]
    public async Task Every_message_arrives_whole_once_and_in_order_whatever_the_read_sizes(int maxRead)
    {
        var random = new Random(maxRead);
        var sent = new List<string>();
        var wire = new MemoryStream();
        for (var i = 0; i < 40; i++)
        {
            // Mostly small deltas, some over the reader's 16 KiB first buffer (a full map), some keep-alives.
            var json = (i % 9) switch
            {
                0 => "{\"KeepAlive\":true}",
                4 => "{\"Domain\":\"" + RandomText(random, 20_000 + random.Next(60_000)) + "\"}",
                _ => "{\"Domain\":\"" + RandomText(random, random.Next(1, 400)) + "\"}",
            };
            sent.Add(json);
            wire.Write(MapMessageWriter.Frame(Encoding.UTF8.GetBytes(json), zstd: true));
        }

        var body = new ChoppyStream(wire.ToArray(), maxRead, random.Next());
        var spans = new List<string>();
        await MapStreamReader.ReadAsync(body, new MapMessageReader(zstd: true), static (json, into) => into.Add(Encoding.UTF8.GetString(json)), spans, CancellationToken.None);
        Assert.Equal(sent, spans);

        var arrays = new List<string>();
        await MapStreamReader.ReadAsync(new ChoppyStream(wire.ToArray(), maxRead, 1), new MapMessageReader(zstd: true), json => arrays.Add(Encoding.UTF8.GetString(json)), CancellationToken.None);
        Assert.Equal(sent, arrays);
    }

    [Fact]
    public void Whatever_a_tampered_frame_did_to_the_reused_decompression_context_the_next_message_decodes_exactly()
    {
        // The decompression context is reused per thread: neither a frame that fails half-way nor one that decodes
        // to other bytes may leave anything behind for the next message.
        var expected = "{\"Domain\":\"" + RandomText(new Random(5), 3000) + "\"}";
        var good = MapMessageWriter.Frame(Encoding.UTF8.GetBytes(expected), zstd: true);
        var reader = new MapMessageReader(zstd: true);
        var random = new Random(20261207);
        var failed = 0;
        for (var i = 0; i < 500; i++)
        {
            var tampered = (byte[])good.Clone();
            tampered[4 + random.Next(tampered.Length - 4)] ^= (byte)(1 + random.Next(255));
            var buffer = new System.Buffers.ReadOnlySequence<byte>(tampered);
            try
            {
                reader.TryRead(ref buffer, static (_, _) => { }, 0);
            }
            catch (ControlProtocolException)
            {
                failed++;
            }

            var next = new System.Buffers.ReadOnlySequence<byte>(good);
            string? decoded = null;
            Assert.True(reader.TryRead(ref next, (json, _) => decoded = Encoding.UTF8.GetString(json), 0));
            Assert.Equal(expected, decoded);
        }

        Assert.InRange(failed, 1, 499);
    }

    [Fact]
    public async Task A_frame_longer_than_the_limit_fails_before_it_is_buffered()
    {
        var header = new byte[] { 0, 0, 0x50, 0 }; // 5 MiB declared
        var body = new ChoppyStream([.. header, .. new byte[64]], 1 << 20, 0);
        await Assert.ThrowsAsync<ControlProtocolException>(() =>
            MapStreamReader.ReadAsync(body, new MapMessageReader(zstd: true, maxMessageBytes: 4 << 20), static (_, _) => { }, 0, CancellationToken.None));
        Assert.True(body.Position <= header.Length + 64);
    }

    private static string RandomText(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)('a' + random.Next(26));
        }

        return new string(chars);
    }

    /// <summary>A body that hands out its bytes in reads of random sizes up to a maximum, as a transport may.</summary>
    private sealed class ChoppyStream(byte[] data, int maxRead, int seed) : Stream
    {
        private readonly Random _random = new(seed);
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = Math.Min(Math.Min(buffer.Length, data.Length - _position), 1 + _random.Next(maxRead));
            data.AsMemory(_position, n).CopyTo(buffer);
            _position += n;
            return ValueTask.FromResult(n);
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
