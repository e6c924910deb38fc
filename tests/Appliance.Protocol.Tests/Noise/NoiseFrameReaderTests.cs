using System.Buffers;
using Appliance.Protocol.Keys;
using Appliance.Protocol.Noise;

namespace Appliance.Protocol.Tests.Noise;

public sealed class NoiseFrameReaderTests
{
    private static byte[] SealedRecord(int plaintextLength, out byte[] key)
    {
        key = new byte[32];
        key[0] = 7;
        using var cipher = new NoiseCipherState(key);
        var frame = new byte[NoiseCipherState.FrameSize(plaintextLength)];
        cipher.SealRecord(new byte[plaintextLength], frame);
        return frame;
    }

    [Fact]
    public void A_whole_record_is_read_and_the_buffer_advanced_past_it()
    {
        var frame = SealedRecord(10, out _);
        var buffer = new ReadOnlySequence<byte>(frame.Concat(new byte[] { 4, 0 }).ToArray());
        Assert.True(NoiseFrameReader.TryReadRecord(ref buffer, out var ciphertext));
        Assert.Equal(26, ciphertext.Length);
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void Every_prefix_of_a_record_is_incomplete_and_consumes_nothing()
    {
        var frame = SealedRecord(100, out _);
        for (var length = 0; length < frame.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, length);
            Assert.False(NoiseFrameReader.TryReadRecord(ref buffer, out _));
            Assert.Equal(length, buffer.Length);
        }
    }

    [Fact]
    public void A_record_split_across_segments_reads_the_same()
    {
        var frame = SealedRecord(300, out _);
        for (var split = 1; split < frame.Length; split += 37)
        {
            var buffer = TestSequence.Split(frame, split);
            Assert.True(NoiseFrameReader.TryReadRecord(ref buffer, out var ciphertext));
            Assert.Equal(frame.AsSpan(3).ToArray(), ciphertext.ToArray());
        }
    }

    [Fact]
    public void A_declared_length_over_4093_is_rejected_before_the_body_arrives()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0x04, 0x0F, 0xFE });
        Assert.Throws<NoiseProtocolException>(() => NoiseFrameReader.TryReadRecord(ref buffer, out _));

        var atLimit = new ReadOnlySequence<byte>(new byte[] { 0x04, 0x0F, 0xFD });
        Assert.False(NoiseFrameReader.TryReadRecord(ref atLimit, out _));
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x01)]
    [InlineData(0x02)]
    [InlineData(0x03)]
    [InlineData(0x05)]
    [InlineData(0xFF)]
    public void A_frame_of_another_type_is_rejected(byte type)
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { type, 0x00, 0x10 });
        Assert.Throws<NoiseProtocolException>(() => NoiseFrameReader.TryReadRecord(ref buffer, out _));
    }

    [Fact]
    public void A_record_too_short_to_hold_its_tag_is_rejected()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0x04, 0x00, 0x0F });
        Assert.Throws<NoiseProtocolException>(() => NoiseFrameReader.TryReadRecord(ref buffer, out _));
    }

    [Fact]
    public void Sealing_more_than_4077_plaintext_bytes_in_one_record_is_refused()
    {
        using var cipher = new NoiseCipherState(new byte[32]);
        var frame = new byte[NoiseConstants.MaxMessageSize + 100];
        Assert.Equal(NoiseConstants.MaxMessageSize, cipher.SealRecord(new byte[NoiseConstants.MaxPlaintextSize], frame));
        Assert.Throws<ArgumentException>(() => cipher.SealRecord(new byte[NoiseConstants.MaxPlaintextSize + 1], frame));
    }

    [Fact]
    public void Record_256_uses_a_big_endian_counter()
    {
        var key = new byte[32];
        key[5] = 9;
        using var sender = new NoiseCipherState(key);
        using var receiver = new NoiseCipherState(key);
        var frame = new byte[64];
        var plain = new byte[8];
        for (var i = 0; i < 256; i++)
        {
            var n = sender.SealRecord(BitConverter.GetBytes((long)i), frame);
            Assert.True(receiver.TryOpen(frame.AsSpan(3, n - 3), plain), $"record {i}");
        }

        // Record 256: nonce 00 00 00 00 | 00 00 00 00 00 00 01 00, where the Noise spec would use 00 01 00 00 ....
        var length = sender.SealRecord("record 256"u8, frame);
        var ciphertext = frame.AsSpan(3, length - 3).ToArray();
        using var nsecKey = NSec.Cryptography.Key.Import(NSec.Cryptography.AeadAlgorithm.ChaCha20Poly1305, key, NSec.Cryptography.KeyBlobFormat.RawSymmetricKey);
        var bigEndianNonce = new byte[12];
        bigEndianNonce[10] = 0x01;
        var littleEndianNonce = new byte[12];
        littleEndianNonce[5] = 0x01;
        Assert.Equal(NSec.Cryptography.AeadAlgorithm.ChaCha20Poly1305.Encrypt(nsecKey, bigEndianNonce, [], "record 256"u8), ciphertext);
        Assert.NotEqual(NSec.Cryptography.AeadAlgorithm.ChaCha20Poly1305.Encrypt(nsecKey, littleEndianNonce, [], "record 256"u8), ciphertext);
        Assert.True(receiver.TryOpen(ciphertext, new byte[10]));
    }

    [Fact]
    public void A_record_from_the_wrong_position_fails_to_open()
    {
        using var sender = new NoiseCipherState(new byte[32]);
        using var receiver = new NoiseCipherState(new byte[32]);
        var first = new byte[40];
        var second = new byte[40];
        var n1 = sender.SealRecord("first"u8, first);
        var n2 = sender.SealRecord("second"u8, second);
        var plain = new byte[16];
        Assert.False(receiver.TryOpen(second.AsSpan(3, n2 - 3), plain));
        _ = n1;
    }

    [Fact]
    public void Handshake_reply_reader_returns_response_or_error_text()
    {
        var error = NoiseErrorFrame.Create("nope");
        var buffer = new ReadOnlySequence<byte>(error);
        Assert.True(NoiseFrameReader.TryReadHandshakeReply(ref buffer, out var reply));
        Assert.True(reply.IsError);
        Assert.Equal("nope", reply.Error);
        Assert.True(buffer.IsEmpty);

        var initiation = NoiseInitiator.Create(MachinePrivate.Generate(), MachinePrivate.Generate().Public, 133).Initiation;
        var server = MachinePrivate.Generate();
        var init2 = NoiseInitiator.Create(MachinePrivate.Generate(), server.Public, 133);
        Assert.True(NoiseResponder.TryRespond(server, init2.Initiation.Span, out var accepted, out _));
        accepted!.Keys.Dispose();
        var bytes = accepted.Response.ToArray();
        for (var length = 0; length < bytes.Length; length++)
        {
            var partial = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(NoiseFrameReader.TryReadHandshakeReply(ref partial, out _));
            Assert.Equal(length, partial.Length);
        }

        var whole = new ReadOnlySequence<byte>(bytes);
        Assert.True(NoiseFrameReader.TryReadHandshakeReply(ref whole, out var ok));
        Assert.False(ok.IsError);
        Assert.Equal(bytes, ok.Response);
        _ = initiation;
    }

    [Fact]
    public void Handshake_reply_with_a_wrong_type_or_length_is_rejected()
    {
        var wrongType = new ReadOnlySequence<byte>(new byte[] { 0x04, 0x00, 0x30 });
        Assert.Throws<NoiseProtocolException>(() => NoiseFrameReader.TryReadHandshakeReply(ref wrongType, out _));
        var wrongLength = new ReadOnlySequence<byte>(new byte[] { 0x02, 0x00, 0x31 });
        Assert.Throws<NoiseProtocolException>(() => NoiseFrameReader.TryReadHandshakeReply(ref wrongLength, out _));
    }
}
