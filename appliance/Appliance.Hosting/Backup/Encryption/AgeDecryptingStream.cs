using System.Security.Cryptography;
using NSec.Cryptography;

namespace Appliance.Hosting.Backup.Encryption;

/// <summary>
/// A read-only stream over an age v1 payload: each 64 KiB chunk is authenticated before any of its bytes are
/// returned; a chunk that fails (changed, reordered, cut off, or a file that ends without a final chunk) throws
/// <see cref="AgeDecryptionException"/> naming the chunk, so a reader never acts on unauthenticated bytes.
/// </summary>
internal sealed class AgeDecryptingStream : Stream
{
    private readonly Stream _input;
    private readonly Key _key;
    private readonly byte[] _sealed = new byte[AgePayload.SealedChunkSize + 1];
    private readonly byte[] _plain = new byte[AgePayload.ChunkSize];
    private int _sealedFilled;
    private int _plainOffset;
    private int _plainLength;
    private long _counter;
    private bool _sawFinal;

    public AgeDecryptingStream(Stream input, Key payloadKey)
    {
        _input = input;
        _key = payloadKey;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (_plainOffset == _plainLength)
        {
            if (_sawFinal || !NextChunk())
            {
                return 0;
            }
        }

        var take = Math.Min(buffer.Length, _plainLength - _plainOffset);
        _plain.AsSpan(_plainOffset, take).CopyTo(buffer);
        _plainOffset += take;
        return take;
    }

    private bool NextChunk()
    {
        // Fill one sealed chunk plus one byte: whether that byte exists tells a full last chunk from a middle one.
        while (_sealedFilled < _sealed.Length)
        {
            var read = _input.Read(_sealed, _sealedFilled, _sealed.Length - _sealedFilled);
            if (read == 0)
            {
                break;
            }

            _sealedFilled += read;
        }

        var final = _sealedFilled <= AgePayload.SealedChunkSize;
        var length = Math.Min(_sealedFilled, AgePayload.SealedChunkSize);
        if (length < AgePayload.TagSize || (final && length == AgePayload.TagSize && _counter > 0))
        {
            throw new AgeDecryptionException($"the payload is cut off at chunk {_counter} (no final chunk): the file is truncated");
        }

        if (!AgePayload.Open(_key, _counter, final, _sealed.AsSpan(0, length), _plain.AsSpan(0, length - AgePayload.TagSize)))
        {
            throw new AgeDecryptionException($"chunk {_counter} of the payload does not authenticate: the file was changed, truncated or damaged");
        }

        _plainOffset = 0;
        _plainLength = length - AgePayload.TagSize;
        _counter++;
        _sawFinal = final;
        if (!final)
        {
            // Keep the look-ahead byte as the first byte of the next chunk.
            _sealed[0] = _sealed[AgePayload.SealedChunkSize];
            _sealedFilled = 1;
        }

        return true;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _key.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
        }

        base.Dispose(disposing);
    }
}

/// <summary>The encrypted file cannot be opened with this identity or does not authenticate; the message says which.</summary>
public sealed class AgeDecryptionException : Exception
{
    public AgeDecryptionException()
    {
    }

    public AgeDecryptionException(string message)
        : base(message)
    {
    }

    public AgeDecryptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
