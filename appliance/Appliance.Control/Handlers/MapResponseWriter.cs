using System.IO.Pipelines;

namespace Appliance.Control.Handlers;

/// <summary>
/// Writes one framed map message to a response body in slices of at most <see cref="SliceBytes"/>, each flushed
/// before the next is written. Kestrel's HTTP/2 stream copies a write into its output pipe whole, and each pipe on
/// the way out (the stream's, the connection's writer over the Noise session, the socket's) keeps the segments a
/// write passed through, for reuse, for as long as the connection lives: a full map of N peers left them with a
/// number of cached segments that grows with N (47 per connection at 1,000 nodes, 75 at 2,000, up to 256 per pipe;
/// docs/benchmarks.md, "Issue 16, mem helper (session 7)"). In slices, a pipe holds at most a slice and its pause
/// threshold. Deltas and keep-alives are smaller than a slice and go out in one write, as before. Each slice is one
/// <see cref="PipeWriter.WriteAsync"/>, which writes and flushes in one hand-over to Kestrel's frame writer (a
/// separate flush was a second hand-over per stream in every fan-out: issue 16, fan).
/// </summary>
internal static class MapResponseWriter
{
    /// <summary>One HTTP/2 DATA frame at the protocol's default maximum frame size (RFC 9113 §4.2).</summary>
    internal const int SliceBytes = 16 * 1024;

    /// <returns>false when the response was completed under the writer (the client reset the stream).</returns>
    public static async ValueTask<bool> WriteAsync(PipeWriter body, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        while (message.Length > SliceBytes)
        {
            if ((await body.WriteAsync(message[..SliceBytes], cancellationToken).ConfigureAwait(false)).IsCompleted)
            {
                return false;
            }

            message = message[SliceBytes..];
        }

        return !(await body.WriteAsync(message, cancellationToken).ConfigureAwait(false)).IsCompleted;
    }
}
