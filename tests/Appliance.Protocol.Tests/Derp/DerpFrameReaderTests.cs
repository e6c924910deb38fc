using System.Buffers;
using Appliance.Protocol.Derp;
using Appliance.TestKit.Derp;

namespace Appliance.Protocol.Tests.Derp;

public class DerpFrameReaderTests
{
    private static byte[] Frame(DerpFrameType type, byte[] payload)
    {
        var buffer = new byte[DerpConstants.FrameHeaderLength + payload.Length];
        Assert.True(DerpFrameWriter.TryWriteFrame(buffer, type, payload, out var written));
        Assert.Equal(buffer.Length, written);
        return buffer;
    }

    [Fact]
    public void A_complete_frame_is_read_and_the_buffer_moves_past_it()
    {
        var bytes = Frame(DerpFrameType.SendPacket, Enumerable.Range(0, 100).Select(i => (byte)i).ToArray()).Concat(new byte[] { 0x06 }).ToArray();
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.True(DerpFrameReader.TryReadFrame(ref buffer, out var frame));

        Assert.Equal(DerpFrameType.SendPacket, frame.Type);
        Assert.Equal(100, frame.Length);
        Assert.Equal(bytes.AsSpan(5, 100).ToArray(), frame.Payload.ToArray());
        Assert.Equal(1, buffer.Length);
    }

    [Fact]
    public void Every_prefix_of_a_frame_is_incomplete_and_consumes_nothing()
    {
        var bytes = Frame(DerpFrameType.RecvPacket, new byte[40]);
        for (var length = 0; length < bytes.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(DerpFrameReader.TryReadFrame(ref buffer, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Fact]
    public void A_one_byte_trickle_reads_the_same_frames()
    {
        var bytes = Frame(DerpFrameType.Ping, new byte[8]).Concat(Frame(DerpFrameType.KeepAlive, [])).Concat(Frame(DerpFrameType.SendPacket, new byte[33])).ToArray();
        var buffer = SegmentedSequence.Create(bytes, 1);
        var types = new List<DerpFrameType>();
        while (DerpFrameReader.TryReadFrame(ref buffer, out var frame))
        {
            types.Add(frame.Type);
        }

        Assert.Equal([DerpFrameType.Ping, DerpFrameType.KeepAlive, DerpFrameType.SendPacket], types);
        Assert.Equal(0, buffer.Length);
    }

    [Theory]
    [InlineData(DerpFrameType.SendPacket, DerpConstants.MaxOtherFrameLength + 1)]
    [InlineData(DerpFrameType.ClientInfo, DerpConstants.MaxClientInfoLength + 1)]
    [InlineData(DerpFrameType.ServerKey, DerpConstants.MaxServerKeyLength + 1)]
    [InlineData((DerpFrameType)0x7f, int.MaxValue)]
    public void An_oversized_length_is_refused_from_the_header_alone(DerpFrameType type, int length)
    {
        var header = new byte[5];
        Assert.True(DerpFrameWriter.TryWriteHeader(header, type, length));
        var buffer = new ReadOnlySequence<byte>(header);

        Assert.Throws<DerpProtocolException>(() => DerpFrameReader.TryReadFrame(ref buffer, out _));
    }

    [Fact]
    public void The_largest_allowed_packet_frame_is_read()
    {
        var bytes = Frame(DerpFrameType.SendPacket, new byte[DerpConstants.KeyLength + DerpConstants.MaxPacketSize]);
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(DerpFrameReader.TryReadFrame(ref buffer, out var frame));
        Assert.True(DerpFramePayloads.TryParseKeyedPacket(frame.Payload.ToArray(), out _, out var packet));
        Assert.Equal(DerpConstants.MaxPacketSize, packet.Length);
    }

    [Fact]
    public void A_packet_one_byte_over_the_limit_is_refused_by_the_payload_parser()
    {
        Assert.False(DerpFramePayloads.TryParseKeyedPacket(new byte[DerpConstants.KeyLength + DerpConstants.MaxPacketSize + 1], out _, out _));
        Assert.False(DerpFramePayloads.TryParseKeyedPacket(new byte[DerpConstants.KeyLength - 1], out _, out _));
    }

    [Fact]
    public void Unknown_frame_types_are_read_so_that_the_caller_can_skip_them()
    {
        var bytes = Frame((DerpFrameType)0x42, [1, 2, 3]);
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(DerpFrameReader.TryReadFrame(ref buffer, out var frame));
        Assert.Equal((DerpFrameType)0x42, frame.Type);
        Assert.Equal(3, frame.Length);
    }

    [Fact]
    public void A_writer_with_too_little_space_returns_false()
    {
        var small = new byte[DerpConstants.FrameHeaderLength + 10];
        Assert.False(DerpFrameWriter.TryWriteSendPacket(small, new byte[32], new byte[10], out var written));
        Assert.Equal(0, written);
        Assert.False(DerpFrameWriter.TryWriteHeader(new byte[4], DerpFrameType.KeepAlive, 0));
    }
}
