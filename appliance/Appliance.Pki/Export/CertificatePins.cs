using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Pki.Export;

/// <summary>Fingerprints and the DERP <c>CertName</c> pin.</summary>
public static class CertificatePins
{
    /// <summary>Prefix Tailscale clients (v1.84+) recognise in DERPNode.CertName (tailscale net/tlsdial/tlsdial.go, SetConfigExpectedCertHash).</summary>
    public const string Sha256RawPrefix = "sha256-raw:";

    /// <summary>Lowercase hex SHA-256 of the certificate's DER encoding.</summary>
    public static string Sha256Hex(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));
    }

    /// <summary>
    /// <c>sha256-raw:&lt;hex&gt;</c> for a DERP node's <c>CertName</c>. The client then skips CA checks but demands that
    /// the server presents exactly this one certificate (see ChainPresentation), within its dates and valid for the
    /// dialled name. It changes with every leaf renewal, so the control server must send it from the live leaf.
    /// </summary>
    public static string DerpCertName(X509Certificate2 leaf) => Sha256RawPrefix + Sha256Hex(leaf);

    /// <summary>Colon-separated uppercase SHA-256, as certutil, Keychain and Android settings display it.</summary>
    public static string DisplayFingerprint(X509Certificate2 certificate) =>
        string.Join(':', Convert.ToHexString(SHA256.HashData(certificate.RawData)).Chunk(2).Select(c => new string(c)));
}
