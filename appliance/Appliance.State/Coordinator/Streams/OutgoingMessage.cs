using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>
/// A map message bound for one or many streams. Each encoding (zstd or raw) is made at most once, on first use,
/// so a delta shared by a thousand streams is serialised and compressed once.
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

    public MapResponse Message { get; }

    /// <summary>When the earliest change this message carries was made (a <see cref="TimeProvider.GetTimestamp"/> value; 0 for keep-alives and full maps).</summary>
    public long ChangedAt { get; init; }

    public ReadOnlyMemory<byte> Framed(bool zstd) => zstd ? _zstd.Value : _raw.Value;

    public static OutgoingMessage KeepAlive { get; } = new(new MapResponse { KeepAlive = true });
}
