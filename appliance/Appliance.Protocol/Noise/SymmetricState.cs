using System.Security.Cryptography;
using System.Text;

namespace Appliance.Protocol.Noise;

/// <summary>
/// The Noise SymmetricState (spec §5.2) for one handshake: h and ck, MixHash, MixKey(DH), EncryptAndHash,
/// DecryptAndHash and Split. Handshake keys are single-use with nonce 0, as in tailscale
/// control/controlbase/handshake.go (symmetricState, singleUseCHP).
/// </summary>
internal sealed class SymmetricState
{
    private readonly byte[] _h = new byte[Blake2s.HashSize];
    private readonly byte[] _ck = new byte[Blake2s.HashSize];
    private readonly byte[] _k = new byte[NoiseConstants.KeySize];

    /// <summary>h = BLAKE2s(protocol name), ck = h; then the prologue and the responder's static key (<c>&lt;- s</c>).</summary>
    public SymmetricState(ReadOnlySpan<byte> prologue, ReadOnlySpan<byte> responderStaticPublic)
    {
        Blake2s.Hash(Encoding.ASCII.GetBytes(NoiseConstants.ProtocolName), ReadOnlySpan<byte>.Empty, _h);
        _h.CopyTo(_ck, 0);
        MixHash(prologue);
        MixHash(responderStaticPublic);
    }

    /// <summary>Tailscale's prologue: "Tailscale Control Protocol v" + decimal version.</summary>
    public static SymmetricState ForVersion(ushort version, ReadOnlySpan<byte> responderStaticPublic) =>
        new(Encoding.ASCII.GetBytes(NoiseConstants.Prologue(version)), responderStaticPublic);

    public ReadOnlySpan<byte> HandshakeHash => _h;

    public void MixHash(ReadOnlySpan<byte> data)
    {
        Span<byte> next = stackalloc byte[Blake2s.HashSize];
        Blake2s.Hash(_h, data, next);
        next.CopyTo(_h);
    }

    /// <summary>MixKey(DH(priv, pub)); false if the DH fails (bad or low-order public key).</summary>
    public bool MixDh(X25519Key privateKey, ReadOnlySpan<byte> publicKey)
    {
        Span<byte> shared = stackalloc byte[NoiseConstants.KeySize];
        if (!privateKey.TryAgree(publicKey, shared))
        {
            return false;
        }

        Span<byte> ck = stackalloc byte[Blake2s.HashSize];
        Blake2s.Hkdf(_ck, shared, ck, _k);
        ck.CopyTo(_ck);
        CryptographicOperations.ZeroMemory(shared);
        return true;
    }

    public void EncryptAndHash(ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        ChaChaPoly.SealOnce(_k, _h, plaintext, ciphertext);
        MixHash(ciphertext[..(plaintext.Length + NoiseConstants.TagSize)]);
    }

    public bool DecryptAndHash(ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        if (!ChaChaPoly.OpenOnce(_k, _h, ciphertext, plaintext))
        {
            return false;
        }

        MixHash(ciphertext);
        return true;
    }

    /// <summary>Split: k1 (initiator → responder), k2 (responder → initiator).</summary>
    public void Split(Span<byte> k1, Span<byte> k2)
    {
        Blake2s.Hkdf(_ck, ReadOnlySpan<byte>.Empty, k1, k2);
        CryptographicOperations.ZeroMemory(_ck);
        CryptographicOperations.ZeroMemory(_k);
    }
}
