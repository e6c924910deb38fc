using System.Buffers;
using System.Text;

namespace Appliance.Protocol.Http;

/// <summary>
/// Reads the first request head on a fresh connection when it is an HTTP/1.1 upgrade request for one of a fixed set
/// of request targets (<c>/ts2021</c>, <c>/derp</c>), so the connection-level dispatcher can hand the raw transport to
/// that protocol instead of keeping an HTTP/1.1 request alive under it (decisions 0106, 0111, 0115).
/// <para>Deliberately narrow: whatever it does not recognise (<see cref="UpgradeHeadStatus.NotUpgrade"/>) goes,
/// untouched, to the HTTP server's parser, which answers it as it always did. Generic rules only: the request line
/// (<c>token SP target SP HTTP/1.1 CRLF</c>, the target exactly one of ours, so another path is refused as soon as
/// its target is read), <c>name: value CRLF</c> fields (no folding, no whitespace before the colon, no CR, LF or NUL
/// inside), exactly one <c>Upgrade</c> field, a <c>Connection</c> field naming <c>upgrade</c> (RFC 9110 7.8), no body
/// (<c>Content-Length</c> other than 0 or any <c>Transfer-Encoding</c>). What a protocol needs beyond that (method,
/// <c>Upgrade</c> value, its own fields) its target decides on the parsed head.</para>
/// <para>Input is untrusted bytes: it never throws for any input, looks at no more than <see cref="MaxHeadBytes"/>
/// bytes, and a decision taken on a prefix never changes as more bytes arrive.</para>
/// </summary>
public sealed class UpgradeHeadReader
{
    /// <summary>A client's upgrade head is 100-300 bytes (a ts2021 handshake is 136 of them); a longer head is left to the HTTP server and its limits.</summary>
    public const int MaxHeadBytes = 4096;

    /// <summary>Longer than any method an upgrade is sent with (GET, POST); a longer token is not an upgrade here.</summary>
    private const int MaxMethodBytes = 16;

    private static ReadOnlySpan<byte> Version => "HTTP/1.1\r\n"u8;

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    private readonly byte[][] _targets;

    /// <param name="targets">Origin-form request targets (such as <c>/derp</c>), matched exactly: no query, case-sensitive.</param>
    public UpgradeHeadReader(IEnumerable<string> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var list = new List<byte[]>();
        foreach (var target in targets.Distinct(StringComparer.Ordinal))
        {
            if (target.Length is 0 or > 256 || target[0] != '/' || target.Any(c => c is <= ' ' or >= '\x7f'))
            {
                throw new ArgumentException($"'{target}' is not an origin-form request target", nameof(targets));
            }

            list.Add(Encoding.ASCII.GetBytes(target));
        }

        _targets = [.. list];
        Targets = [.. list.Select(Encoding.ASCII.GetString)];
    }

    public IReadOnlyList<string> Targets { get; }

    /// <summary>Reads the bytes a connection has received so far (from its first byte).</summary>
    public UpgradeHeadStatus Read(ReadOnlySequence<byte> received, out UpgradeRequestHead? head)
    {
        var truncated = received.Length > MaxHeadBytes;
        var length = (int)Math.Min(received.Length, MaxHeadBytes);
        if (received.IsSingleSegment)
        {
            return Read(received.FirstSpan[..length], truncated, out head);
        }

        Span<byte> copy = stackalloc byte[MaxHeadBytes];
        copy = copy[..length];
        received.Slice(0, length).CopyTo(copy);
        return Read(copy, truncated, out head);
    }

    /// <summary>Reads the bytes received so far; <paramref name="more"/>: further bytes exist beyond the span.</summary>
    public UpgradeHeadStatus Read(ReadOnlySpan<byte> received, bool more, out UpgradeRequestHead? head)
    {
        head = null;
        if (received.Length > MaxHeadBytes)
        {
            received = received[..MaxHeadBytes];
            more = true;
        }

        var status = ReadRequestLine(received, out var method, out var target, out var lineLength);
        if (status != UpgradeHeadStatus.Parsed)
        {
            return status;
        }

        // The header block ends at the first blank line; the request line's own CRLF starts the search.
        var end = received[(lineLength - 2)..].IndexOf(HeadEnd);
        if (end < 0)
        {
            return more || received.Length >= MaxHeadBytes ? UpgradeHeadStatus.NotUpgrade : UpgradeHeadStatus.NeedMore;
        }

        var headLength = lineLength - 2 + end + HeadEnd.Length;
        var fields = received[lineLength..(headLength - 2)];
        if (!TryReadFields(fields, out var list, out var upgrade))
        {
            return UpgradeHeadStatus.NotUpgrade;
        }

        head = new UpgradeRequestHead(Encoding.ASCII.GetString(method), Encoding.ASCII.GetString(target), upgrade, headLength, list);
        return UpgradeHeadStatus.Parsed;
    }

    /// <summary>Parsed: the whole line is there and is ours. NeedMore: every byte so far could still start such a line.</summary>
    private UpgradeHeadStatus ReadRequestLine(ReadOnlySpan<byte> received, out ReadOnlySpan<byte> method, out ReadOnlySpan<byte> target, out int lineLength)
    {
        method = default;
        target = default;
        lineLength = 0;

        var methodEnd = 0;
        while (methodEnd < received.Length && methodEnd <= MaxMethodBytes && IsTokenByte(received[methodEnd]))
        {
            methodEnd++;
        }

        if (methodEnd > MaxMethodBytes)
        {
            return UpgradeHeadStatus.NotUpgrade;
        }

        if (methodEnd == received.Length)
        {
            return UpgradeHeadStatus.NeedMore;
        }

        if (methodEnd == 0 || received[methodEnd] != (byte)' ')
        {
            return UpgradeHeadStatus.NotUpgrade;
        }

        method = received[..methodEnd];
        var rest = received[(methodEnd + 1)..];
        var space = rest.IndexOf((byte)' ');
        var candidate = space < 0 ? rest : rest[..space];
        if (!MatchesTarget(candidate, complete: space >= 0))
        {
            return UpgradeHeadStatus.NotUpgrade;
        }

        if (space < 0)
        {
            return UpgradeHeadStatus.NeedMore;
        }

        target = candidate;
        var version = rest[(space + 1)..];
        if (version.Length < Version.Length)
        {
            return Version.StartsWith(version) ? UpgradeHeadStatus.NeedMore : UpgradeHeadStatus.NotUpgrade;
        }

        if (!version.StartsWith(Version))
        {
            return UpgradeHeadStatus.NotUpgrade;
        }

        lineLength = methodEnd + 1 + space + 1 + Version.Length;
        return UpgradeHeadStatus.Parsed;
    }

    /// <summary>Complete: the target equals one of ours. Otherwise: it is still the start of one of ours.</summary>
    private bool MatchesTarget(ReadOnlySpan<byte> candidate, bool complete)
    {
        foreach (var target in _targets)
        {
            if (complete ? candidate.SequenceEqual(target) : target.AsSpan().StartsWith(candidate))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Each field is <c>name: value CRLF</c>; anything unusual (folding, no colon, a body, a second Upgrade) is not ours.</summary>
    private static bool TryReadFields(ReadOnlySpan<byte> fields, out List<KeyValuePair<string, string>> list, out string upgrade)
    {
        list = [];
        upgrade = "";
        var upgrades = 0;
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
                if (++upgrades > 1 || value.IsEmpty)
                {
                    return false;
                }

                upgrade = Encoding.Latin1.GetString(value);
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

            list.Add(new(Encoding.Latin1.GetString(name), Encoding.Latin1.GetString(value)));
        }

        return upgrades == 1 && connectionUpgrade;
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

    /// <summary>RFC 9110 5.6.2 tchar.</summary>
    private static bool IsTokenByte(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'!' or (byte)'#' or (byte)'$' or (byte)'%' or (byte)'&' or (byte)'\'' or (byte)'*' or (byte)'+'
            or (byte)'-' or (byte)'.' or (byte)'^' or (byte)'_' or (byte)'`' or (byte)'|' or (byte)'~';
}
