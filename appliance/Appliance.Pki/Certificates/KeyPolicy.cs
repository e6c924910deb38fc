using System.Security.Cryptography;

namespace Appliance.Pki.Certificates;

/// <summary>
/// Every key this CA makes is ECDSA P-256 signing with SHA-256 (docs/decisions/0050-ca-key-algorithm.md): it is the
/// one curve every Tailscale client platform's verifier accepts (Go crypto/x509, Windows CNG, Apple Security,
/// Android Conscrypt, browsers), and keys and handshakes are small and fast on the appliance's hardware.
/// </summary>
public static class KeyPolicy
{
    public static HashAlgorithmName Hash => HashAlgorithmName.SHA256;

    public static ECDsa NewKey() => ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>Refuses a stored key that is not P-256 (someone replaced the file).</summary>
    public static void RequireP256(ECDsa key, string path)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeySize != 256)
        {
            throw new CaException(CaErrorKind.CorruptFile, $"{path} holds a {key.KeySize}-bit key; this CA uses ECDSA P-256 only.");
        }
    }
}
