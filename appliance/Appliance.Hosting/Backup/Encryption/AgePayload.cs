using System.Buffers.Binary;
using NSec.Cryptography;

namespace Appliance.Hosting.Backup.Encryption;

/// <summary>
/// The age v1 payload (C2SP/C2SP age.md, "Payload"): a 16-byte nonce, then the plaintext in 64 KiB chunks, each
/// sealed with ChaCha20-Poly1305 under the payload key and a 12-byte nonce of an 11-byte big-endian counter and a
/// last byte 0x01 on the final chunk (0x00 before). The final chunk may be short but is empty only for an empty file.
/// </summary>
internal static class AgePayload
{
    public const int NonceSize = 16;
    public const int ChunkSize = 64 * 1024;
    public const int TagSize = 16;
    public const int SealedChunkSize = ChunkSize + TagSize;

    public static byte[] ChunkNonce(long counter, bool final)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(3, 8), counter);
        nonce[11] = final ? (byte)1 : (byte)0;
        return nonce;
    }

    public static byte[] Seal(Key key, long counter, bool final, ReadOnlySpan<byte> plaintext) =>
        AeadAlgorithm.ChaCha20Poly1305.Encrypt(key, ChunkNonce(counter, final), [], plaintext);

    public static bool Open(Key key, long counter, bool final, ReadOnlySpan<byte> sealedChunk, Span<byte> plaintext) =>
        AeadAlgorithm.ChaCha20Poly1305.Decrypt(key, ChunkNonce(counter, final), [], sealedChunk, plaintext);
}
