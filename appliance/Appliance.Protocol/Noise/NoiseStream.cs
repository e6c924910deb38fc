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
/// Ownership: the stream owns <paramref name="keys"/>, completes the input reader and disposes the output stream when
/// it is disposed.
/// </summary>
public sealed class NoiseStream : Stream
{
    private readonly PipeReader _input;
    private readonly Stream _output;
    private readonly NoiseSessionKeys _keys;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _cipherScratch = new byte[NoiseConstants.MaxCiphertextSize];
    private byte[] _pending = new byte[NoiseConstants.MaxPlaintextSize];
    private int _pendingOffset;
    private int _pendingCount;
    private Exception? _readFailure;
    private bool _disposed;

    /// <param name="input">The transport's bytes after the handshake (any bytes already buffered in it are used first).</param>
    /// <param name="output">Where sealed records are written.</param>
    public NoiseStream(PipeReader input, Stream output, NoiseSessionKeys keys)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(keys);
        _input = input;
        _output = output;
        _keys = keys;
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
        while (true)
        {
            var view = new ReadOnlySequence<byte>(_pending, _pendingOffset, _pendingCount);
            var before = view.Length;
            if (EarlyNoise.TryRead(ref view, out var challenge))
            {
                var consumed = (int)(before - view.Length);
                _pendingOffset += consumed;
                _pendingCount -= consumed;
                return challenge;
            }

            if (!await ReadRecordIntoPendingAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new NoiseProtocolException("connection closed inside the early payload");
            }
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_pendingCount == 0)
        {
            if (!await ReadRecordIntoPendingAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }
        }

        var n = Math.Min(buffer.Length, _pendingCount);
        _pending.AsMemory(_pendingOffset, n).CopyTo(buffer);
        _pendingOffset += n;
        _pendingCount -= n;
        return n;
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
        var frames = ArrayPool<byte>.Shared.Rent(size);
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
            ArrayPool<byte>.Shared.Return(frames);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

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
            _input.Complete();
            _output.Dispose();
            _keys.Dispose();
            _writeLock.Dispose();
        }

        base.Dispose(disposing);
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
        ReadOnlySpan<byte> sealedBytes;
        if (ciphertext.IsSingleSegment)
        {
            sealedBytes = ciphertext.FirstSpan;
        }
        else
        {
            ciphertext.CopyTo(_cipherScratch);
            sealedBytes = _cipherScratch.AsSpan(0, length);
        }

        var plainLength = length - NoiseConstants.TagSize;
        if (_pendingCount == 0)
        {
            _pendingOffset = 0;
        }
        else if (_pendingOffset + _pendingCount + plainLength > _pending.Length)
        {
            // Only the early-payload reader accumulates more than one record; compact and grow for it.
            var grown = new byte[Math.Max(_pending.Length * 2, _pendingCount + plainLength)];
            _pending.AsSpan(_pendingOffset, _pendingCount).CopyTo(grown);
            _pending = grown;
            _pendingOffset = 0;
        }

        if (!_keys.Receive.TryOpen(sealedBytes, _pending.AsSpan(_pendingOffset + _pendingCount, plainLength)))
        {
            throw new NoiseProtocolException("transport record failed to decrypt");
        }

        _pendingCount += plainLength;
    }
}
