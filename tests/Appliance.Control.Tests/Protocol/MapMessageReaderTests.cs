using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Appliance.Protocol.Control;
using Appliance.TestKit.Control;

namespace Appliance.Control.Tests.Protocol;

public sealed class MapMessageReaderTests
{
    private static byte[] Sample => RecordedControlExchanges.Streams().SelectMany(s => s.MapMessages).First(m => !m.KeepAlive).Framed;

    [Fact]
    public void Every_prefix_of_a_frame_is_incomplete_and_consumes_nothing()
    {
        var framed = Sample;
        var reader = new MapMessageReader(zstd: true);
        for (var n = 0; n < framed.Length; n++)
        {
            var buffer = new ReadOnlySequence<byte>(framed, 0, n);
            Assert.False(reader.TryRead(ref buffer, out _));
            Assert.Equal(n, buffer.Length);
        }
    }

    [Fact]
    public void A_one_byte_trickle_yields_each_message_once()
    {
        var first = MapMessageWriter.Frame(new MapResponse { Domain = "a" }, zstd: true);
        var second = MapMessageWriter.KeepAlive(zstd: true).ToArray();
        byte[] all = [.. first, .. second];
        var reader = new MapMessageReader(zstd: true);
        var pending = new List<byte>();
        var decoded = new List<string>();
        foreach (var b in all)
        {
            pending.Add(b);
            var buffer = new ReadOnlySequence<byte>(pending.ToArray());
            while (reader.TryRead(ref buffer, out var json))
            {
                decoded.Add(Encoding.UTF8.GetString(json));
            }

            pending = [.. buffer.ToArray()];
        }

        Assert.Equal(["{\"Domain\":\"a\"}", "{\"KeepAlive\":true}"], decoded);
    }

    [Fact]
    public void A_declared_length_over_the_limit_fails_before_buffering()
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 5_000_000);
        var reader = new MapMessageReader(zstd: true, maxMessageBytes: 4 << 20);
        var buffer = new ReadOnlySequence<byte>(header);
        Assert.Throws<ControlProtocolException>(() => reader.TryRead(ref buffer, out _));
    }

    [Fact]
    public void A_zstd_bomb_fails_at_the_decompressed_limit()
    {
        var big = Encoding.UTF8.GetBytes("{\"Domain\":\"" + new string('a', 2 << 20) + "\"}");
        var framed = MapMessageWriter.Frame(big, zstd: true);
        Assert.True(framed.Length < 64 * 1024);
        var reader = new MapMessageReader(zstd: true, maxDecompressedBytes: 1 << 20);
        var buffer = new ReadOnlySequence<byte>(framed);
        Assert.Throws<ControlProtocolException>(() => reader.TryRead(ref buffer, out _));
    }

    [Fact]
    public void A_body_that_is_not_zstd_is_refused_when_zstd_was_asked_for()
    {
        var raw = MapMessageWriter.Frame("{\"KeepAlive\":true}"u8, zstd: false);
        var buffer = new ReadOnlySequence<byte>(raw);
        Assert.Throws<ControlProtocolException>(() => new MapMessageReader(zstd: true).TryRead(ref buffer, out _));
    }

    [Fact]
    public void Raw_json_frames_round_trip_when_compression_is_off()
    {
        var raw = MapMessageWriter.Frame(new MapResponse { KeepAlive = true }, zstd: false);
        var buffer = new ReadOnlySequence<byte>(raw);
        Assert.True(new MapMessageReader(zstd: false).TryRead(ref buffer, out var json));
        Assert.Equal("{\"KeepAlive\":true}", Encoding.UTF8.GetString(json));
    }

    [Fact]
    public void Tampering_with_any_byte_of_the_zstd_frame_never_escapes_as_another_exception()
    {
        var framed = Sample;
        var reader = new MapMessageReader(zstd: true);
        for (var i = 4; i < framed.Length; i++)
        {
            var copy = (byte[])framed.Clone();
            copy[i] ^= 0x5A;
            var buffer = new ReadOnlySequence<byte>(copy);
            try
            {
                if (reader.TryRead(ref buffer, out var json))
                {
                    Assert.NotNull(json);
                }
            }
            catch (ControlProtocolException)
            {
            }
        }
    }

    [Fact]
    public void Fuzzed_frames_either_decode_or_fail_with_a_protocol_error()
    {
        var seeds = RecordedControlExchanges.Streams().SelectMany(s => s.MapMessages).Select(m => m.Framed).ToArray();
        var random = new Random(20261125);
        var reader = new MapMessageReader(zstd: true, maxMessageBytes: 1 << 16, maxDecompressedBytes: 1 << 18);
        for (var i = 0; i < 3000; i++)
        {
            var input = Fuzz.Mutate(seeds[random.Next(seeds.Length)], random);
            var buffer = new ReadOnlySequence<byte>(input);
            try
            {
                while (reader.TryRead(ref buffer, out _))
                {
                }
            }
            catch (ControlProtocolException)
            {
            }
        }
    }
}
