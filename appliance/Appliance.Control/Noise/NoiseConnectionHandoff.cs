using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;

namespace Appliance.Control.Noise;

/// <summary>
/// Hands finished Noise sessions from the /ts2021 upgrade handler to Kestrel's accept loop on the
/// <see cref="NoiseEndPoint"/>. Singleton; bounded so a burst of handshakes cannot queue without limit while Kestrel
/// is busy (a full queue refuses the session).
/// </summary>
public sealed class NoiseConnectionHandoff
{
    private readonly Channel<NoiseConnectionContext> _channel = Channel.CreateBounded<NoiseConnectionContext>(
        new BoundedChannelOptions(1024) { SingleReader = false, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });

    private int _listeners;

    /// <summary>True while Kestrel has the Noise endpoint bound (ListenNoise was called and the server runs).</summary>
    public bool IsListening => Volatile.Read(ref _listeners) > 0;

    internal void ListenerBound() => Interlocked.Increment(ref _listeners);

    internal void ListenerUnbound() => Interlocked.Decrement(ref _listeners);

    internal bool TryEnqueue(NoiseConnectionContext connection) => IsListening && _channel.Writer.TryWrite(connection);

    internal async ValueTask<ConnectionContext?> DequeueAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
