using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Appliance.Control.Noise;

/// <summary>What the first bytes of a connection are, as far as <see cref="NoiseUpgradeConnectionMiddleware"/> cares.</summary>
public enum Ts2021RequestHeadKind
{
    /// <summary>Still a possible ts2021 upgrade: wait for more bytes.</summary>
    NeedMore,

    /// <summary>Anything else (another path, a WebSocket, a refusal to answer, a malformed or oversized head): Kestrel's.</summary>
    NotUpgrade,

    /// <summary>A complete ts2021 upgrade as tailscaled writes it, with its handshake header.</summary>
    Upgrade,
}

/// <summary>
/// Recognises the request head a Tailscale client writes on a fresh control connection (tailscale
/// control/controlhttp/client.go dialURL/tryURLUpgrade: <c>POST /ts2021 HTTP/1.1</c>, <c>Connection: upgrade</c>,
/// <c>Upgrade: tailscale-control-protocol</c>, <c>X-Tailscale-Handshake: base64(initiation)</c>, Go's
/// <c>Content-Length: 0</c>). Deliberately narrow, like the DERP relay's <c>DerpRequestHead</c>: whatever it does not
/// recognise goes untouched to Kestrel's HTTP parser and <see cref="NoiseUpgradeHandler"/>, which answer it as
/// before (refusals with upstream's texts, the WebSocket variant, an upgrade after another request on the same
/// connection). Input is untrusted bytes: it never throws and looks at no more than <see cref="MaxHeadBytes"/>.
/// </summary>
public static class Ts2021RequestHead
{
    /// <summary>A client's head is about 300 bytes (the initiation is 101 bytes, 136 in base64).</summary>
    public const int MaxHeadBytes = 4096;

    private static ReadOnlySpan<byte> PostLine => "POST /ts2021 HTTP/1.1\r\n"u8;

    private static ReadOnlySpan<byte> GetLine => "GET /ts2021 HTTP/1.1\r\n"u8;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>
    /// Classifies the bytes received so far; for <see cref="Ts2021RequestHeadKind.Upgrade"/> also the head's length
    /// (through the blank line) and the decoded handshake initiation.
    /// </summary>
    public static Ts2021RequestHeadKind Classify(ReadOnlySequence<byte> received, out int headLength, out byte[] initiation)
    {
        var length = (int)Math.Min(received.Length, MaxHeadBytes);
        Span<byte> head = stackalloc byte[MaxHeadBytes];
        head = head[..length];
        received.Slice(0, length).CopyTo(head);
        return Classify(head, received.Length > MaxHeadBytes, out headLength, out initiation);
    }

    public static Ts2021RequestHeadKind Classify(ReadOnlySpan<byte> head, bool truncated, out int headLength, out byte[] initiation)
    {
        headLength = 0;
        initiation = [];
        var line = head.StartsWith("G"u8) ? GetLine : PostLine;
        if (head.Length < line.Length)
        {
            return line.StartsWith(head) ? Ts2021RequestHeadKind.NeedMore : Ts2021RequestHeadKind.NotUpgrade;
        }

        if (!head.StartsWith(line))
        {
            return Ts2021RequestHeadKind.NotUpgrade;
        }

        // The header block ends at the first blank line; the request line's own CRLF starts the search.
        var end = head[(line.Length - 2)..].IndexOf(HeadEnd);
        if (end < 0)
        {
            return truncated || head.Length >= MaxHeadBytes ? Ts2021RequestHeadKind.NotUpgrade : Ts2021RequestHeadKind.NeedMore;
        }

        var fields = head[line.Length..(line.Length - 2 + end + 2)];
        headLength = line.Length - 2 + end + HeadEnd.Length;
        if (!TryReadFields(fields, out initiation))
        {
            headLength = 0;
            initiation = [];
            return Ts2021RequestHeadKind.NotUpgrade;
        }

        return Ts2021RequestHeadKind.Upgrade;
    }

    /// <summary>Each field is <c>name: value CRLF</c>; anything unusual (folding, no colon, a body, a repeat) is not ours.</summary>
    private static bool TryReadFields(ReadOnlySpan<byte> fields, out byte[] initiation)
    {
        initiation = [];
        var host = 0;
        var upgrade = 0;
        var handshake = 0;
        var connectionUpgrade = false;
        while (!fields.IsEmpty)
        {
            var lineEnd = fields.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return false;
            }

            var field = fields[..lineEnd];
            fields = fields[(lineEnd + 2)..];
            var colon = field.IndexOf((byte)':');
            if (colon <= 0 || field[0] is (byte)' ' or (byte)'\t' || field.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0)
            {
                return false;
            }

            var name = field[..colon];
            var value = field[(colon + 1)..].Trim(" \t"u8);
            if (name.IndexOfAny(" \t"u8) >= 0)
            {
                return false;
            }

            if (Ascii.EqualsIgnoreCase(name, "Host"u8))
            {
                host++;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
            {
                // Only the control protocol; "websocket" (and anything else) stays with the endpoint.
                if (++upgrade > 1 || !Ascii.EqualsIgnoreCase(value, NoiseUpgradeHandler.UpgradeValue))
                {
                    return false;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                connectionUpgrade |= HasToken(value, "upgrade"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, NoiseUpgradeHandler.HandshakeHeader))
            {
                if (++handshake > 1 || !TryDecodeBase64(value, out initiation))
                {
                    return false;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                if (!value.SequenceEqual("0"u8))
                {
                    return false;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                return false;
            }
        }

        // HTTP/1.1 needs exactly one Host (Kestrel answers 400 otherwise, and keeps doing so for such requests).
        return host == 1 && upgrade == 1 && handshake == 1 && connectionUpgrade;
    }

    private static bool TryDecodeBase64(ReadOnlySpan<byte> value, out byte[] bytes)
    {
        // Standard padded base64, as Go's base64.StdEncoding (the handler's own decoding, NoiseUpgradeHandler).
        bytes = [];
        if (value.IsEmpty || value.Length > MaxHeadBytes)
        {
            return false;
        }

        var decoded = new byte[Base64.GetMaxDecodedFromUtf8Length(value.Length)];
        if (Base64.DecodeFromUtf8(value, decoded, out var consumed, out var written) != OperationStatus.Done || consumed != value.Length)
        {
            return false;
        }

        bytes = decoded.AsSpan(0, written).ToArray();
        return true;
    }

    private static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }
}
