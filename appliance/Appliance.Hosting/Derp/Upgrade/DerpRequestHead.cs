using System.Buffers;
using System.Text;

namespace Appliance.Hosting.Derp.Upgrade;

/// <summary>What the first bytes of a connection are, as far as the DERP upgrade middleware cares.</summary>
public enum DerpRequestHeadKind
{
    /// <summary>Still a possible DERP upgrade: wait for more bytes.</summary>
    NeedMore,

    /// <summary>Anything else (another path, a websocket, HTTP/2, TLS junk, a malformed or oversized head): the HTTP pipeline's.</summary>
    NotDerp,

    /// <summary><c>GET /derp HTTP/1.1</c> with <c>Upgrade: DERP</c> and <c>Connection: Upgrade</c>, and no body.</summary>
    Derp,
}

/// <summary>
/// Recognises the request head that Tailscale's DERP client writes on a fresh connection (derphttp/derphttp_client.go
/// connect: <c>GET /derp HTTP/1.1</c>, <c>Upgrade: DERP</c>, <c>Connection: Upgrade</c>; our mesh dialer writes the same).
/// Deliberately narrow: whatever it does not recognise goes, untouched, to Kestrel's HTTP parser, which answers it as
/// before (the /derp endpoint still serves websockets, refusals and upgrades that come after another request).
/// Input is untrusted bytes: it never throws and looks at no more than <see cref="MaxHeadBytes"/>.
/// </summary>
public static class DerpRequestHead
{
    /// <summary>A DERP client's head is about 100 bytes; a longer one is left to the HTTP pipeline and its limits.</summary>
    public const int MaxHeadBytes = 4096;

    private static ReadOnlySpan<byte> RequestLine => "GET /derp HTTP/1.1\r\n"u8;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>Classifies the bytes received so far; for <see cref="DerpRequestHeadKind.Derp"/> also the head's length (through the blank line).</summary>
    public static DerpRequestHeadKind Classify(ReadOnlySequence<byte> received, out int headLength)
    {
        headLength = 0;
        var length = (int)Math.Min(received.Length, MaxHeadBytes);
        Span<byte> head = stackalloc byte[MaxHeadBytes];
        head = head[..length];
        received.Slice(0, length).CopyTo(head);
        return Classify(head, received.Length > MaxHeadBytes, out headLength);
    }

    public static DerpRequestHeadKind Classify(ReadOnlySpan<byte> head, bool truncated, out int headLength)
    {
        headLength = 0;
        var line = RequestLine;
        if (head.Length < line.Length)
        {
            return line.StartsWith(head) ? DerpRequestHeadKind.NeedMore : DerpRequestHeadKind.NotDerp;
        }

        if (!head.StartsWith(line))
        {
            return DerpRequestHeadKind.NotDerp;
        }

        // The header block ends at the first blank line; the request line's own CRLF starts the search.
        var end = head[(line.Length - 2)..].IndexOf(HeadEnd);
        if (end < 0)
        {
            return truncated || head.Length >= MaxHeadBytes ? DerpRequestHeadKind.NotDerp : DerpRequestHeadKind.NeedMore;
        }

        var fields = head[line.Length..(line.Length - 2 + end + 2)];
        headLength = line.Length - 2 + end + HeadEnd.Length;
        return HeadersAskForDerp(fields) ? DerpRequestHeadKind.Derp : DerpRequestHeadKind.NotDerp;
    }

    /// <summary>Each field is <c>name: value CRLF</c>; anything unusual (folding, no colon, a body) is not ours.</summary>
    private static bool HeadersAskForDerp(ReadOnlySpan<byte> fields)
    {
        var upgrade = false;
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

            if (Ascii.EqualsIgnoreCase(name, "Upgrade"u8))
            {
                // Only DERP; "websocket" (and anything else) stays with the endpoint, which knows WebSockets.
                upgrade = Ascii.EqualsIgnoreCase(value, "DERP"u8);
                if (!upgrade)
                {
                    return false;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                connectionUpgrade |= HasToken(value, "upgrade"u8);
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

        return upgrade && connectionUpgrade;
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
