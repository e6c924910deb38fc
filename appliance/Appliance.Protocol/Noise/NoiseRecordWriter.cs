using System.Buffers;
using System.IO.Pipelines;

namespace Appliance.Protocol.Noise;

/// <summary>
/// A session's plaintext output as a <see cref="PipeWriter"/> that seals records straight into the transport's own
/// <see cref="PipeWriter"/>: one plaintext buffer, sealed in place into the transport's memory, and one transport
/// flush per <see cref="FlushAsync"/>. It replaces a StreamPipeWriter over <see cref="NoiseStream.WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>,
/// which per flush wrote each buffered segment as its own sealed transport write (a flush each), rented a frame
/// buffer per write, copied the frames into the transport pipe and then flushed again (issue 16: the server's cost per
/// map message written).
/// Records carry at most <see cref="NoiseConstants.MaxPlaintextSize"/> plaintext bytes (tailscale
/// control/controlbase/conn.go maxPlaintextSize), as <see cref="NoiseStream"/>'s writes do.
/// One writer at a time (Kestrel's connection output has one); it shares the session's send cipher with
/// <see cref="NoiseStream"/>, so the stream's own writes must not run while this writer is in use.
/// Idle costs nothing: the plaintext buffer is rented on the first write and returned at each flush.
/// <see cref="Complete"/> does not complete the transport: the <see cref="NoiseStream"/> owns it.
/// </summary>
public sealed class NoiseRecordWriter : PipeWriter
{
    private const int MinimumBuffer = 4096;

    private readonly NoiseCipherState _send;
    private readonly PipeWriter _transport;
    private readonly ArrayPool<byte> _pool;
    private byte[]? _buffer;
    private int _count;
    private bool _completed;

    internal NoiseRecordWriter(NoiseCipherState send, PipeWriter transport, ArrayPool<byte> pool)
    {
        _send = send;
        _transport = transport;
        _pool = pool;
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _count;

    public override void Advance(int bytes)
    {
        if (bytes < 0 || _buffer is null || bytes > _buffer.Length - _count)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), "advanced past the memory handed out");
        }

        _count += bytes;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(_count);

    public override Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(_count);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        SealPending(all: true);
        ReturnBuffer();
        return _transport.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => _transport.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        // Unflushed bytes are dropped, as a StreamPipeWriter with leaveOpen drops them: Kestrel flushes what it means to send.
        _completed = true;
        _count = 0;
        ReturnBuffer();
    }

    private byte[] Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var wanted = Math.Max(sizeHint, 1);
        if (_buffer is null)
        {
            _buffer = _pool.Rent(Math.Max(wanted, MinimumBuffer));
            return _buffer;
        }

        if (_buffer.Length - _count >= wanted)
        {
            return _buffer;
        }

        // Full records can go out now; only the tail (< one record) stays in the plaintext buffer.
        SealPending(all: false);
        if (_buffer.Length - _count < wanted)
        {
            var larger = _pool.Rent(Math.Max(_count + wanted, MinimumBuffer));
            _buffer.AsSpan(0, _count).CopyTo(larger);
            _pool.Return(_buffer);
            _buffer = larger;
        }

        return _buffer;
    }

    /// <summary>Seals the pending plaintext into the transport's memory: whole records only, or everything.</summary>
    private void SealPending(bool all)
    {
        if (_buffer is null || _count == 0)
        {
            return;
        }

        var offset = 0;
        while (_count - offset >= NoiseConstants.MaxPlaintextSize || (all && offset < _count))
        {
            var chunk = Math.Min(_count - offset, NoiseConstants.MaxPlaintextSize);
            var size = NoiseCipherState.FrameSize(chunk);
            var written = _send.SealRecord(_buffer.AsSpan(offset, chunk), _transport.GetSpan(size));
            _transport.Advance(written);
            offset += chunk;
        }

        if (offset > 0)
        {
            _buffer.AsSpan(offset, _count - offset).CopyTo(_buffer);
            _count -= offset;
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null && _count == 0)
        {
            _pool.Return(_buffer);
            _buffer = null;
        }
    }
}
