using System.Security.Cryptography;
using NSec.Cryptography;

namespace Appliance.Hosting.Backup.Encryption;

/// <summary>
/// A write-only stream that seals what is written as an age v1 payload into <c>output</c>. A full 64 KiB chunk is
/// held back until more bytes arrive, because only the last chunk is marked final; disposing writes that final chunk.
/// </summary>
internal sealed class AgeEncryptingStream : Stream
{
    private readonly Stream _output;
    private readonly Key _key;
    private readonly byte[] _chunk = new byte[AgePayload.ChunkSize];
    private int _filled;
    private long _counter;
    private bool _finished;

    public AgeEncryptingStream(Stream output, Key payloadKey)
    {
        _output = output;
        _key = payloadKey;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_finished;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!buffer.IsEmpty)
        {
            if (_filled == _chunk.Length)
            {
                // More data follows, so the held chunk is not the last one.
                _output.Write(AgePayload.Seal(_key, _counter++, final: false, _chunk));
                _filled = 0;
            }

            var take = Math.Min(buffer.Length, _chunk.Length - _filled);
            buffer[..take].CopyTo(_chunk.AsSpan(_filled));
            _filled += take;
            buffer = buffer[take..];
        }
    }

    /// <summary>Seals the final chunk. Nothing can be written after it.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }

        _output.Write(AgePayload.Seal(_key, _counter++, final: true, _chunk.AsSpan(0, _filled)));
        _finished = true;
        CryptographicOperations.ZeroMemory(_chunk);
        _output.Flush();
    }

    public override void Flush() => _output.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Finish();
            _key.Dispose();
        }

        base.Dispose(disposing);
    }
}
