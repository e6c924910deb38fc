using System.IO.Pipelines;

namespace Appliance.Hosting.Derp;

/// <summary>
/// An upgraded HTTP stream seen as a pipe pair. Zero-byte reads mean an idle connection holds no read buffer: the
/// pipe waits for data with an empty read and rents memory only when bytes arrive (the Noise session pipes do the same: docs/wire/noise.md "Kestrel transport").
/// The pipes leave the stream open; the upgrade handler disposes it after the relay is done.
/// <para>Buffers of 64 KiB on both sides (issue 16, docs/benchmarks.md "DERP relay"): with the pipes' 4 KiB default
/// a busy sender's bytes came up about three full-size packets per read, and a receiver's batch went down to the
/// upgraded stream as one write (and one flush of Kestrel's output) per 4 KiB segment. Now one read takes whatever
/// Kestrel holds, up to about 45 packets, and a flushed batch is one write. Only a connection that is moving data
/// holds them; an idle one still holds none.</para>
/// </summary>
internal sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe
{
    private const int BufferSize = 64 * 1024;

    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: BufferSize, minimumReadSize: BufferSize / 4, leaveOpen: true, useZeroByteReads: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: BufferSize, leaveOpen: true));
}
