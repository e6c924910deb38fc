using System.Runtime.InteropServices;

namespace Appliance.Protocol.Derp;

/// <summary>
/// NaCl <c>crypto_box</c> (X25519 + XSalsa20-Poly1305) from the libsodium that NSec.Cryptography ships and loads.
/// NSec does not expose crypto_box, so this binds the same native library (NSec's <c>Interop.Libraries.Libsodium</c>
/// is also "libsodium", resolved from the libsodium package's runtimes/ folder). Nothing here is a home-made primitive.
/// Output layout is libsodium's <c>crypto_box_easy</c>: 16-byte Poly1305 tag followed by the ciphertext, exactly what
/// tailscale types/key/node.go SealTo/OpenFrom produce with golang.org/x/crypto/nacl/box (the nonce travels in front,
/// outside this box).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Interoperability", "SYSLIB1054", Justification = "LibraryImport needs AllowUnsafeBlocks in the shared Protocol project; these signatures are blittable (ref/in byte, ulong), so DllImport marshals nothing.")]
public static class NaclBox
{
    public const int PublicKeyLength = 32;
    public const int PrivateKeyLength = 32;
    public const int NonceLength = 24;
    public const int TagLength = 16;
    public const int SharedKeyLength = 32;

    private const string Library = "libsodium";

    static NaclBox()
    {
        // sodium_init is idempotent and thread-safe; NSec calls it too, but this class may be touched first.
        if (sodium_init() < 0)
        {
            throw new InvalidOperationException("libsodium failed to initialise");
        }
    }

    /// <summary>Seals <paramref name="message"/> from <paramref name="senderPrivate"/> to <paramref name="recipientPublic"/>. <paramref name="output"/> must be message + 16 bytes.</summary>
    public static void Seal(Span<byte> output, ReadOnlySpan<byte> message, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> recipientPublic, ReadOnlySpan<byte> senderPrivate)
    {
        CheckSizes(output.Length, message.Length + TagLength, nonce, recipientPublic, senderPrivate);
        if (crypto_box_easy(ref MemoryMarshal.GetReference(output), in MemoryMarshal.GetReference(message), (ulong)message.Length,
                in MemoryMarshal.GetReference(nonce), in MemoryMarshal.GetReference(recipientPublic), in MemoryMarshal.GetReference(senderPrivate)) != 0)
        {
            // Fails only for a low-order (all-zero shared secret) public key.
            throw new ArgumentException("public key is invalid for crypto_box", nameof(recipientPublic));
        }
    }

    /// <summary>Opens a box; false (and nothing in <paramref name="output"/> to trust) when it does not authenticate or the key is invalid.</summary>
    public static bool TryOpen(Span<byte> output, ReadOnlySpan<byte> box, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> senderPublic, ReadOnlySpan<byte> recipientPrivate)
    {
        if (box.Length < TagLength)
        {
            return false;
        }

        CheckSizes(output.Length, box.Length - TagLength, nonce, senderPublic, recipientPrivate);
        return crypto_box_open_easy(ref MemoryMarshal.GetReference(output), in MemoryMarshal.GetReference(box), (ulong)box.Length,
            in MemoryMarshal.GetReference(nonce), in MemoryMarshal.GetReference(senderPublic), in MemoryMarshal.GetReference(recipientPrivate)) == 0;
    }

    /// <summary>Precomputes the shared key (one X25519) so that several boxes between the same pair cost only the cipher.</summary>
    public static bool TryPrecompute(Span<byte> sharedKey, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> privateKey)
    {
        if (sharedKey.Length != SharedKeyLength || publicKey.Length != PublicKeyLength || privateKey.Length != PrivateKeyLength)
        {
            throw new ArgumentException("crypto_box_beforenm takes 32-byte keys");
        }

        return crypto_box_beforenm(ref MemoryMarshal.GetReference(sharedKey), in MemoryMarshal.GetReference(publicKey), in MemoryMarshal.GetReference(privateKey)) == 0;
    }

    public static void SealAfterPrecompute(Span<byte> output, ReadOnlySpan<byte> message, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sharedKey)
    {
        if (output.Length != message.Length + TagLength || nonce.Length != NonceLength || sharedKey.Length != SharedKeyLength)
        {
            throw new ArgumentException("crypto_box_easy_afternm: wrong buffer sizes");
        }

        _ = crypto_box_easy_afternm(ref MemoryMarshal.GetReference(output), in MemoryMarshal.GetReference(message), (ulong)message.Length,
            in MemoryMarshal.GetReference(nonce), in MemoryMarshal.GetReference(sharedKey));
    }

    public static bool TryOpenAfterPrecompute(Span<byte> output, ReadOnlySpan<byte> box, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sharedKey)
    {
        if (box.Length < TagLength)
        {
            return false;
        }

        if (output.Length != box.Length - TagLength || nonce.Length != NonceLength || sharedKey.Length != SharedKeyLength)
        {
            throw new ArgumentException("crypto_box_open_easy_afternm: wrong buffer sizes");
        }

        return crypto_box_open_easy_afternm(ref MemoryMarshal.GetReference(output), in MemoryMarshal.GetReference(box), (ulong)box.Length,
            in MemoryMarshal.GetReference(nonce), in MemoryMarshal.GetReference(sharedKey)) == 0;
    }

    private static void CheckSizes(int outputLength, int expectedOutput, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> privateKey)
    {
        if (outputLength != expectedOutput || nonce.Length != NonceLength || publicKey.Length != PublicKeyLength || privateKey.Length != PrivateKeyLength)
        {
            throw new ArgumentException("crypto_box: wrong buffer or key sizes");
        }
    }

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int sodium_init();

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int crypto_box_easy(ref byte c, in byte m, ulong mlen, in byte n, in byte pk, in byte sk);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int crypto_box_open_easy(ref byte m, in byte c, ulong clen, in byte n, in byte pk, in byte sk);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int crypto_box_beforenm(ref byte k, in byte pk, in byte sk);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int crypto_box_easy_afternm(ref byte c, in byte m, ulong mlen, in byte n, in byte k);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
    private static extern int crypto_box_open_easy_afternm(ref byte m, in byte c, ulong clen, in byte n, in byte k);
}
