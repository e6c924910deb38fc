using System.Buffers.Binary;

namespace Appliance.Protocol.Stun;

/// <summary>
/// The Tailscale client's Binding Request (tailscale net/stun/stun.go Request / ParseBindingRequest). It is always 40 bytes:
/// <code>
/// 00 01 | 00 14 | 21 12 A4 42 | txid (12) | 80 22 00 08 "tailnode" | 80 28 00 04 CRC32(bytes 0..31) ^ 0x5354554E
/// </code>
/// The parser follows upstream: any attribute order, but SOFTWARE must be "tailnode" and FINGERPRINT must be last and correct.
/// </summary>
public static class StunBindingRequest
{
    public const int Length = 40;

    /// <summary>True when the datagram is plausibly STUN: a full header, the top two bits clear and the magic cookie (stun.go Is).</summary>
    public static bool IsStun(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= StunConstants.HeaderLength
        && (datagram[0] & 0xC0) == 0
        && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == StunConstants.MagicCookie;

    public static StunParseResult TryParse(ReadOnlySpan<byte> datagram, Span<byte> transactionId)
    {
        if (transactionId.Length < StunConstants.TransactionIdLength)
        {
            throw new ArgumentException("transaction ID buffer must hold 12 bytes", nameof(transactionId));
        }

        if (!IsStun(datagram))
        {
            return StunParseResult.NotStun;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(datagram) != StunConstants.BindingRequest)
        {
            return StunParseResult.NotBindingRequest;
        }

        var attrsLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (datagram.Length < StunConstants.HeaderLength + attrsLength)
        {
            return StunParseResult.Malformed;
        }

        var softwareOk = false;
        var fingerprintOk = false;
        var lastType = (ushort)0;
        var offset = StunConstants.HeaderLength;
        var end = StunConstants.HeaderLength + attrsLength;
        while (offset < end)
        {
            if (end - offset < 4)
            {
                return StunParseResult.Malformed;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(datagram[offset..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            var padded = (length + 3) & ~3;
            if (end - offset - 4 < length)
            {
                return StunParseResult.Malformed;
            }

            var value = datagram.Slice(offset + 4, length);
            if (type == StunConstants.AttrSoftware)
            {
                softwareOk = value.SequenceEqual(StunConstants.TailscaleSoftware);
            }
            else if (type == StunConstants.AttrFingerprint)
            {
                fingerprintOk = length == 4 && BinaryPrimitives.ReadUInt32BigEndian(value) == Fingerprint(datagram[..offset]);
            }

            lastType = type;
            offset += 4 + Math.Min(padded, end - offset - 4);
        }

        if (lastType != StunConstants.AttrFingerprint)
        {
            return StunParseResult.NoFingerprint;
        }

        if (!fingerprintOk)
        {
            return StunParseResult.BadFingerprint;
        }

        if (!softwareOk)
        {
            return StunParseResult.WrongSoftware;
        }

        datagram.Slice(8, StunConstants.TransactionIdLength).CopyTo(transactionId);
        return StunParseResult.Ok;
    }

    /// <summary>Writes the 40-byte request a Tailscale client sends (for the test client and probes).</summary>
    public static bool TryWrite(Span<byte> destination, ReadOnlySpan<byte> transactionId, out int written)
    {
        written = 0;
        if (destination.Length < Length || transactionId.Length != StunConstants.TransactionIdLength)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, StunConstants.BindingRequest);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Length - StunConstants.HeaderLength);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StunConstants.MagicCookie);
        transactionId.CopyTo(destination[8..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[20..], StunConstants.AttrSoftware);
        BinaryPrimitives.WriteUInt16BigEndian(destination[22..], (ushort)StunConstants.TailscaleSoftware.Length);
        StunConstants.TailscaleSoftware.CopyTo(destination[24..]);
        BinaryPrimitives.WriteUInt16BigEndian(destination[32..], StunConstants.AttrFingerprint);
        BinaryPrimitives.WriteUInt16BigEndian(destination[34..], 4);
        BinaryPrimitives.WriteUInt32BigEndian(destination[36..], Fingerprint(destination[..32]));
        written = Length;
        return true;
    }

    /// <summary>FINGERPRINT value for the message bytes before the FINGERPRINT attribute (RFC 5389 §15.5).</summary>
    public static uint Fingerprint(ReadOnlySpan<byte> messageBeforeFingerprint) =>
        StunCrc32.Compute(messageBeforeFingerprint) ^ StunConstants.FingerprintXor;
}
