using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>
/// A map message bound for one or many streams. Each encoding (zstd or raw) is made at most once, on first use,
/// so a delta shared by a thousand streams is serialised and compressed once. A chain (<see cref="Chain"/>) is
/// several messages written back to back in one write: a stream catching up along shared intervals
/// (<see cref="ChangeLog.Chain"/>) gets each interval's shared encoding, copied, not re-encoded.
/// </summary>
public sealed class OutgoingMessage
{
    private readonly Lazy<byte[]> _zstd;
    private readonly Lazy<byte[]> _raw;

    public OutgoingMessage(MapResponse message)
    {
        Message = message;
        _zstd = new Lazy<byte[]>(() => MapMessageWriter.Frame(message, zstd: true));
        _raw = new Lazy<byte[]>(() => MapMessageWriter.Frame(message, zstd: false));
    }

    private OutgoingMessage(IReadOnlyList<OutgoingMessage> parts)
    {
        Parts = parts;
        _zstd = new Lazy<byte[]>(() => Concat(parts, zstd: true));
        _raw = new Lazy<byte[]>(() => Concat(parts, zstd: false));
    }

    /// <summary>The message; null for a chain (see <see cref="Parts"/>).</summary>
    public MapResponse? Message { get; }

    /// <summary>The messages of a chain, in the order they are written; empty for a single message.</summary>
    public IReadOnlyList<OutgoingMessage> Parts { get; } = [];

    /// <summary>When the earliest change this message carries was made (a <see cref="TimeProvider.GetTimestamp"/> value; 0 for keep-alives and full maps).</summary>
    public long ChangedAt { get; init; }

    public ReadOnlyMemory<byte> Framed(bool zstd) => zstd ? _zstd.Value : _raw.Value;

    public static OutgoingMessage KeepAlive { get; } = new(new MapResponse { KeepAlive = true });

    /// <summary>
    /// Several messages sent in one write, in order (each keeps its own length prefix, so the client reads them one
    /// by one, as it reads any stream); a single message is returned as it is, so its encoding stays shared.
    /// </summary>
    public static OutgoingMessage Chain(IReadOnlyList<OutgoingMessage> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 1)
        {
            return parts[0];
        }

        var changedAt = 0L;
        foreach (var part in parts)
        {
            if (part.ChangedAt != 0 && (changedAt == 0 || part.ChangedAt < changedAt))
            {
                changedAt = part.ChangedAt;
            }
        }

        return new OutgoingMessage(parts) { ChangedAt = changedAt };
    }

    private static byte[] Concat(IReadOnlyList<OutgoingMessage> parts, bool zstd)
    {
        var length = 0;
        foreach (var part in parts)
        {
            length += part.Framed(zstd).Length;
        }

        var bytes = new byte[length];
        var at = 0;
        foreach (var part in parts)
        {
            var framed = part.Framed(zstd);
            framed.Span.CopyTo(bytes.AsSpan(at));
            at += framed.Length;
        }

        return bytes;
    }
}
