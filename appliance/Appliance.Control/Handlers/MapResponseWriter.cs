namespace Appliance.Control.Handlers;

/// <summary>
/// Writes one framed map message to a response body in slices of at most <see cref="SliceBytes"/>, each flushed
/// before the next is written. Kestrel's HTTP/2 stream copies a write into its output pipe whole, and each pipe on
/// the way out (the stream's, the connection's writer over the Noise session, the socket's) keeps the segments a
/// write passed through, for reuse, for as long as the connection lives: a full map of N peers left them with a
/// number of cached segments that grows with N (47 per connection at 1,000 nodes, 75 at 2,000, up to 256 per pipe;
/// docs/benchmarks.md, "Issue 16, mem helper (session 7)"). In slices, a pipe holds at most a slice and its pause
/// threshold. Deltas and keep-alives are smaller than a slice and go out in one write, as before.
/// </summary>
internal static class MapResponseWriter
{
    /// <summary>One HTTP/2 DATA frame at the protocol's default maximum frame size (RFC 9113 §4.2).</summary>
    internal const int SliceBytes = 16 * 1024;

    public static async Task WriteAsync(Stream body, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        while (message.Length > SliceBytes)
        {
            await body.WriteAsync(message[..SliceBytes], cancellationToken).ConfigureAwait(false);
            await body.FlushAsync(cancellationToken).ConfigureAwait(false);
            message = message[SliceBytes..];
        }

        await body.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
