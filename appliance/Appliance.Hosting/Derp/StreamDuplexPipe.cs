using System.IO.Pipelines;

namespace Appliance.Hosting.Derp;

/// <summary>
/// An upgraded HTTP stream seen as a pipe pair. Zero-byte reads mean an idle connection holds no read buffer: the
/// pipe waits for data with an empty read and rents memory only when bytes arrive (the Noise session pipes do the same: docs/wire/noise.md "Kestrel transport").
/// The pipes leave the stream open; the upgrade handler disposes it after the relay is done.
/// </summary>
internal sealed class StreamDuplexPipe(Stream stream) : IDuplexPipe
{
    public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true, useZeroByteReads: true));

    public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
}
