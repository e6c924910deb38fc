using System.Buffers;
using System.IO.Pipelines;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Noise;

/// <summary>
/// An established ts2021 session as a duplex plaintext <see cref="Stream"/> (the equivalent of
/// tailscale control/controlbase/conn.go Conn). Reads decrypt one record at a time; writes are cut into records of at
/// most 4077 plaintext bytes and go out in one write to the transport. Any malformed or undecryptable record fails
/// the stream for good (<see cref="NoiseProtocolException"/>): there is no way to resynchronise.
/// One reader and one writer may run concurrently; concurrent writes are serialised.
/// Idle costs nothing: a zero-byte read (<c>ReadAsync(Memory.Empty)</c>, what a pipe reader created with
/// <c>useZeroByteReads</c> sends first) waits for the next record without a buffer, and the plaintext buffer is rented
/// only while decrypted bytes wait to be read, so a parked long-poll holds no read memory (the same discipline as the
/// DERP relay's StreamDuplexPipe; Kestrel's socket transport does the same below us).
/// Ownership: the stream owns <paramref name="keys"/>, completes the input reader and disposes the output stream when
/// it is disposed.
/// </summary>
public sealed class NoiseStream : Stream
{
    private readonly PipeReader _input;
    private readonly Stream _output;
    private readonly NoiseSessionKeys _keys;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ArrayPool<byte> _pool;
    private byte[]? _pending;
    private int _pendingOffset;
    private int _pendingCount;
    private Exception? _readFailure;
    private int _reading;
    private volatile bool _disposed;

    /// <param name="input">The transport's bytes after the handshake (any bytes already buffered in it are used first).</param>
    /// <param name="output">Where sealed records are written.</param>
    /// <param name="keys">The session's cipher states; the stream owns them.</param>
    /// <param name="pool">Where read and write buffers are rented (default <see cref="ArrayPool{T}.Shared"/>).</param>
    public NoiseStream(PipeReader input, Stream output, NoiseSessionKeys keys, ArrayPool<byte>? pool = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(keys);
        _input = input;
        _output = output;
        _keys = keys;
        _pool = pool ?? ArrayPool<byte>.Shared;
    }

    public ushort ProtocolVersion => _keys.Version;

    public override bool CanRead => !_disposed;

    public override bool CanWrite => !_disposed;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Client side, before HTTP/2 starts: consumes the server's early payload if there is one (§3.4) and returns its
    /// challenge key; returns null and consumes nothing when the plaintext does not start with the magic.
    /// </summary>
    public async ValueTask<ChallengePublic?> ReadEarlyPayloadAsync(CancellationToken cancellationToken = default)
    {
        BeginRead();
        try
        {
            while (true)
            {
                var view = _pending is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_pending, _pendingOffset, _pendingCount);
                var before = view.Length;
                if (EarlyNoise.TryRead(ref view, out var challenge))
                {
                    Consume((int)(before - view.Length));
                    return challenge;
                }

                if (!await ReadRecordIntoPendingAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new NoiseProtocolException("connection closed inside the early payload");
                }
            }
        }
        finally
        {
            EndRead();
        }
    }

    /// <summary>
    /// Copies decrypted bytes into <paramref name="buffer"/>; 0 at the end of the stream. An empty
    /// <paramref name="buffer"/> is a zero-byte read: it completes once plaintext is available (or the stream ended),
    /// consuming nothing.
    /// </summary>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        BeginRead();
        try
        {
            while (_pendingCount == 0)
            {
                if (!await ReadRecordIntoPendingAsync(cancellationToken).ConfigureAwait(false))
                {
                    return 0;
                }
            }

            var n = Math.Min(buffer.Length, _pendingCount);
            _pending.AsMemory(_pendingOffset, n).CopyTo(buffer);
            Consume(n);
            return n;
        }
        finally
        {
            EndRead();
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return;
        }

        var records = (buffer.Length + NoiseConstants.MaxPlaintextSize - 1) / NoiseConstants.MaxPlaintextSize;
        var size = buffer.Length + (records * (NoiseConstants.HeaderLength + NoiseConstants.TagSize));
        var frames = _pool.Rent(size);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var written = 0;
            var remaining = buffer.Span;
            while (!remaining.IsEmpty)
            {
                var chunk = remaining[..Math.Min(remaining.Length, NoiseConstants.MaxPlaintextSize)];
                written += _keys.Send.SealRecord(chunk, frames.AsSpan(written));
                remaining = remaining[chunk.Length..];
            }

            await _output.WriteAsync(frames.AsMemory(0, written), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
            _pool.Return(frames);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>
    /// The session's output as a pipe writer that seals straight into <paramref name="transport"/> (the pipe under
    /// the stream's own output; see <see cref="NoiseRecordWriter"/>). Use it instead of this stream's writes, never
    /// beside them: both advance the same send nonce. The stream still owns and disposes the transport.
    /// </summary>
    public NoiseRecordWriter CreateRecordWriter(PipeWriter transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new NoiseRecordWriter(_keys.Send, transport, _pool);
    }

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => _output.FlushAsync(cancellationToken);

    public override void Flush() => _output.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        ReturnPendingUnlessReading();
        await _input.CompleteAsync().ConfigureAwait(false);
        await _output.DisposeAsync().ConfigureAwait(false);
        _keys.Dispose();
        _writeLock.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            ReturnPendingUnlessReading();
            _input.Complete();
            _output.Dispose();
            _keys.Dispose();
            _writeLock.Dispose();
        }

        base.Dispose(disposing);
    }

    private void BeginRead()
    {
        // Mark the read before checking for disposal (and DisposeAsync the reverse), so that exactly one of them
        // returns the pending buffer to the pool and never while a read still uses it.
        Interlocked.Exchange(ref _reading, 1);
        if (_disposed)
        {
            Interlocked.Exchange(ref _reading, 0);
            ObjectDisposedException.ThrowIf(true, this);
        }
    }

    private void EndRead()
    {
        Interlocked.Exchange(ref _reading, 0);
        if (_disposed)
        {
            ReturnPending();
        }
    }

    private void ReturnPendingUnlessReading()
    {
        if (Interlocked.CompareExchange(ref _reading, 0, 0) == 0)
        {
            ReturnPending();
        }
    }

    private void ReturnPending()
    {
        if (Interlocked.Exchange(ref _pending, null) is { } rented)
        {
            _pendingCount = 0;
            _pool.Return(rented);
        }
    }

    /// <summary>Drops <paramref name="count"/> read bytes; once none are left the buffer goes back to the pool.</summary>
    private void Consume(int count)
    {
        _pendingOffset += count;
        _pendingCount -= count;
        if (_pendingCount == 0)
        {
            ReturnPending();
        }
    }

    /// <summary>Reads and decrypts one record, appending its plaintext to the pending bytes. False on a clean end of stream.</summary>
    private async ValueTask<bool> ReadRecordIntoPendingAsync(CancellationToken cancellationToken)
    {
        if (_readFailure is not null)
        {
            throw new NoiseProtocolException("the Noise session already failed", _readFailure);
        }

        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                if (NoiseFrameReader.TryReadRecord(ref buffer, out var ciphertext))
                {
                    OpenIntoPending(ciphertext);
                    _input.AdvanceTo(buffer.Start);
                    return true;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw new NoiseProtocolException("connection closed in the middle of a record");
                    }

                    _input.AdvanceTo(buffer.End);
                    return false;
                }

                _input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (NoiseProtocolException ex)
        {
            _readFailure = ex;
            throw;
        }
    }

    private void OpenIntoPending(ReadOnlySequence<byte> ciphertext)
    {
        var length = (int)ciphertext.Length;
        var plainLength = length - NoiseConstants.TagSize;
        if (_pending is null)
        {
            _pending = _pool.Rent(NoiseConstants.MaxPlaintextSize);
            _pendingOffset = 0;
        }
        else if (_pendingOffset + _pendingCount + plainLength > _pending.Length)
        {
            // Only the early-payload reader accumulates more than one record; compact and grow for it.
            var grown = _pool.Rent(Math.Max(_pending.Length * 2, _pendingCount + plainLength));
            _pending.AsSpan(_pendingOffset, _pendingCount).CopyTo(grown);
            _pool.Return(_pending);
            _pending = grown;
            _pendingOffset = 0;
        }

        byte[]? scratch = null;
        try
        {
            ReadOnlySpan<byte> sealedBytes;
            if (ciphertext.IsSingleSegment)
            {
                sealedBytes = ciphertext.FirstSpan;
            }
            else
            {
                scratch = _pool.Rent(length);
                ciphertext.CopyTo(scratch);
                sealedBytes = scratch.AsSpan(0, length);
            }

            if (!_keys.Receive.TryOpen(sealedBytes, _pending.AsSpan(_pendingOffset + _pendingCount, plainLength)))
            {
                throw new NoiseProtocolException("transport record failed to decrypt");
            }
        }
        finally
        {
            if (scratch is not null)
            {
                _pool.Return(scratch);
            }
        }

        _pendingCount += plainLength;
        if (_pendingCount == 0)
        {
            // An empty record (a bare tag) leaves nothing to read: hold no buffer for it.
            ReturnPending();
        }
    }
}
