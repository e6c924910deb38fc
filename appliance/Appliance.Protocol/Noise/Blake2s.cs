using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace Appliance.Protocol.Noise;

/// <summary>
/// BLAKE2s-256 and the Noise HKDF over HMAC-BLAKE2s, from BouncyCastle (no hand-written primitive).
/// HKDF here is RFC 5869 with empty info, which is what both the Noise spec (§4.3) and
/// tailscale control/controlbase/handshake.go (hkdf.New(blake2s.New256, ikm, ck, nil)) compute.
/// </summary>
internal static class Blake2s
{
    public const int HashSize = 32;

    public static void Hash(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        var digest = new Blake2sDigest(HashSize * 8);
        digest.BlockUpdate(a);
        digest.BlockUpdate(b);
        digest.DoFinal(output);
    }

    /// <summary>HKDF(chainingKey, ikm) → two 32-byte outputs.</summary>
    public static void Hkdf(ReadOnlySpan<byte> chainingKey, ReadOnlySpan<byte> inputKeyMaterial, Span<byte> output1, Span<byte> output2)
    {
        Span<byte> tempKey = stackalloc byte[HashSize];
        Hmac(chainingKey, inputKeyMaterial, ReadOnlySpan<byte>.Empty, tempKey);

        ReadOnlySpan<byte> one = [0x01];
        Hmac(tempKey, ReadOnlySpan<byte>.Empty, one, output1);

        ReadOnlySpan<byte> two = [0x02];
        Hmac(tempKey, output1, two, output2);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(tempKey);
    }

    private static void Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> data1, ReadOnlySpan<byte> data2, Span<byte> output)
    {
        var hmac = new HMac(new Blake2sDigest(HashSize * 8));
        hmac.Init(new KeyParameter(key));
        hmac.BlockUpdate(data1);
        hmac.BlockUpdate(data2);
        hmac.DoFinal(output);
    }
}
