using System.Buffers.Binary;
using NSec.Cryptography;
using Bcl = System.Security.Cryptography;

namespace Appliance.Protocol.Noise;

/// <summary>
/// One direction of an established ts2021 session: a ChaCha20-Poly1305 key and a record counter.
/// The nonce is 4 zero bytes followed by the counter as a 64-bit BIG-endian integer (tailscale
/// control/controlbase/conn.go nonce/incNonce) where the Noise spec says little-endian: stock Noise libraries
/// agree on record 0 only. AD is empty. No rekeying; the direction dies after 2^64-1 records.
/// Not thread-safe: one reader or one writer owns each instance.
/// </summary>
/// <para>
/// The key is held by the BCL's ChaCha20Poly1305 (OpenSSL) where the platform has it, else by an NSec key. Every
/// connected node holds two of these for as long as it is connected: an NSec key lives in libsodium's guarded memory
/// (its own mapping with guard pages, several kernel memory areas and a resident page per key), which cost RSS per
/// node and, at 10,000 nodes, would pass the kernel's default limit of 65,530 memory areas per process (issue 16).
/// </para>
public sealed class NoiseCipherState : IDisposable
{
    private readonly Bcl.ChaCha20Poly1305? _bcl;
    private readonly Key? _key;
    private ulong _counter;

    public NoiseCipherState(ReadOnlySpan<byte> key)
    {
        if (key.Length != NoiseConstants.KeySize)
        {
            throw new ArgumentException("a ChaCha20-Poly1305 key is 32 bytes", nameof(key));
        }

        if (Bcl.ChaCha20Poly1305.IsSupported)
        {
            _bcl = new Bcl.ChaCha20Poly1305(key);
        }
        else
        {
            _key = ChaChaPoly.ImportKey(key);
        }
    }

    /// <summary>The counter the next record will use.</summary>
    public ulong NextNonce => _counter;

    /// <summary>Test seam: position the counter (e.g. to check record 256 without sealing 256 records).</summary>
    public void SetNonceForTesting(ulong counter) => _counter = counter;

    /// <summary>The whole frame size for a plaintext of this length.</summary>
    public static int FrameSize(int plaintextLength) => NoiseConstants.HeaderLength + plaintextLength + NoiseConstants.TagSize;

    /// <summary>Seals one record: writes `04 · u16 BE len · ciphertext‖tag` into <paramref name="frame"/>; returns its length.</summary>
    public int SealRecord(ReadOnlySpan<byte> plaintext, Span<byte> frame)
    {
        if (plaintext.Length > NoiseConstants.MaxPlaintextSize)
        {
            throw new ArgumentException($"a record carries at most {NoiseConstants.MaxPlaintextSize} plaintext bytes", nameof(plaintext));
        }

        var cipherLength = plaintext.Length + NoiseConstants.TagSize;
        frame[0] = (byte)NoiseMessageType.Record;
        BinaryPrimitives.WriteUInt16BigEndian(frame[1..], (ushort)cipherLength);
        Seal(plaintext, frame.Slice(NoiseConstants.HeaderLength, cipherLength));
        return NoiseConstants.HeaderLength + cipherLength;
    }

    /// <summary>Encrypts with the current counter and advances it.</summary>
    public void Seal(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Span<byte> nonce = stackalloc byte[12];
        TakeNonce(nonce);
        if (_bcl is not null)
        {
            _bcl.Encrypt(nonce, plaintext, ciphertext[..plaintext.Length], ciphertext.Slice(plaintext.Length, NoiseConstants.TagSize));
            return;
        }

        AeadAlgorithm.ChaCha20Poly1305.Encrypt(_key!, nonce, ReadOnlySpan<byte>.Empty, plaintext, ciphertext[..(plaintext.Length + NoiseConstants.TagSize)]);
    }

    /// <summary>Decrypts with the current counter and advances it. False on a bad tag: the connection must die.</summary>
    public bool TryOpen(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (ciphertext.Length < NoiseConstants.TagSize)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[12];
        TakeNonce(nonce);
        var length = ciphertext.Length - NoiseConstants.TagSize;
        if (_bcl is not null)
        {
            try
            {
                _bcl.Decrypt(nonce, ciphertext[..length], ciphertext[length..], plaintext[..length]);
                return true;
            }
            catch (Bcl.AuthenticationTagMismatchException)
            {
                plaintext[..length].Clear();
                return false;
            }
        }

        return AeadAlgorithm.ChaCha20Poly1305.Decrypt(_key!, nonce, ReadOnlySpan<byte>.Empty, ciphertext, plaintext[..length]);
    }

    public void Dispose()
    {
        _bcl?.Dispose();
        _key?.Dispose();
    }

    private void TakeNonce(Span<byte> nonce)
    {
        // conn.go: the all-ones counter is the "invalid" marker; refuse to reach it rather than wrap.
        if (_counter == ulong.MaxValue)
        {
            throw new NoiseProtocolException("transport nonce exhausted");
        }

        nonce[..4].Clear();
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], _counter);
        _counter++;
    }
}
