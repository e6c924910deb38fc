using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Appliance.Protocol.Noise;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Appliance.Control.Noise;

/// <summary>
/// One decrypted Noise session as a Kestrel connection. Transport = the plaintext of the <see cref="NoiseStream"/>.
/// Its features carry the <see cref="INoiseSessionFeature"/> (also in Items, which Kestrel exposes per request).
/// Kestrel's reads reach the NoiseStream as zero-byte reads first, so an idle session holds no read buffer.
/// Ownership: the context owns the NoiseStream; <see cref="Closed"/> completes when Kestrel disposes or aborts it,
/// and the /ts2021 handler then ends the outer HTTP/1.1 request (which closes the TCP connection).
/// </summary>
public sealed class NoiseConnectionContext : ConnectionContext, IConnectionIdFeature, IConnectionItemsFeature, IConnectionLifetimeFeature, IConnectionEndPointFeature
{
    /// <summary>The Items key under which the session rides along to every request (see NoiseSessionMiddleware).</summary>
    public const string SessionItemKey = "Appliance.Noise.Session";

    private static long _nextId;
    private readonly NoiseStream _noise;
    private readonly Action _abortOuter;
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    /// <param name="transportOutput">The pipe under the NoiseStream's output when there is one (a connection's own
    /// transport): Kestrel's writes are then sealed straight into it (<see cref="NoiseRecordWriter"/>); without one
    /// (the WebSocket stream) they go through a StreamPipeWriter and the NoiseStream's writes.</param>
    internal NoiseConnectionContext(NoiseStream noise, NoiseSessionFeature session, EndPoint? localEndPoint, EndPoint? remoteEndPoint, Action abortOuter, MemoryPool<byte> pool, PipeWriter? transportOutput)
    {
        _noise = noise;
        _abortOuter = abortOuter;
        Session = session;
        ConnectionId = "noise-" + Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        LocalEndPoint = localEndPoint;
        RemoteEndPoint = remoteEndPoint;
        Transport = new DuplexPipe(
            PipeReader.Create(noise, new StreamPipeReaderOptions(pool: pool, leaveOpen: true, useZeroByteReads: true)),
            transportOutput is not null
                ? noise.CreateRecordWriter(transportOutput)
                : PipeWriter.Create(noise, new StreamPipeWriterOptions(pool: pool, leaveOpen: true)));
        Items = new Dictionary<object, object?> { [SessionItemKey] = session };

        var features = new FeatureCollection();
        features.Set<IConnectionIdFeature>(this);
        features.Set<IConnectionItemsFeature>(this);
        features.Set<IConnectionLifetimeFeature>(this);
        features.Set<IConnectionEndPointFeature>(this);
        features.Set<INoiseSessionFeature>(session);
        features.Set(session);
        Features = features;
        ConnectionClosed = _closed.Token;
    }

    public NoiseSessionFeature Session { get; }

    /// <summary>Completes when Kestrel is done with the connection (disposed or aborted).</summary>
    public Task Closed => _done.Task;

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items { get; set; }

    public override IDuplexPipe Transport { get; set; }

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        // Tear down the outer TCP connection: that ends the pending transport read, so Kestrel finishes promptly.
        _abortOuter();
        TryCancel();
        _done.TrySetResult();
    }

    public override async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            TryCancel();
            await _noise.DisposeAsync().ConfigureAwait(false);
            _closed.Dispose();
            _done.TrySetResult();
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void TryCancel()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: nothing left to signal.
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
