using System.Globalization;
using Appliance.Pki.Certificates;
using Appliance.Pki.Files;

namespace Appliance.Pki.Authority;

public sealed partial class LocalCa
{
    /// <summary>
    /// Records <paramref name="serialHex"/> as revoked. If it is the stored leaf, a replacement for the same names is
    /// issued at once; a running server picks it up on its next renewal check (within a minute). There is no CRL or
    /// OCSP: clients on an air-gapped network could not fetch them and Tailscale's Go clients do not check them, so
    /// revocation means "never served again", backed by short leaf lifetimes.
    /// </summary>
    public RevokeOutcome Revoke(string serialHex, double renewAt = 0.66)
    {
        ArgumentNullException.ThrowIfNull(serialHex);
        var serial = serialHex.Replace(":", string.Empty, StringComparison.Ordinal).Trim().ToLowerInvariant();
        if (serial.Length is 0 or > 40 || !serial.All(char.IsAsciiHexDigit))
        {
            throw new CaException(CaErrorKind.InvalidRequest, $"'{serialHex}' is not a certificate serial number (hex, as 'appliance ca status' shows it).");
        }

        // A prefix must never be recorded as if it were a serial: it would match nothing and revoke nothing while
        // the operator believes the certificate is gone. Every serial this CA issues has exactly HexLength digits.
        if (serial.Length != SerialNumbers.HexLength)
        {
            throw new CaException(
                CaErrorKind.InvalidRequest,
                $"'{serialHex}' is not a whole serial: this CA's serials have {SerialNumbers.HexLength} hex digits; copy the full one from 'appliance ca status'. Nothing was revoked.");
        }

        if (RevokedSerials().Contains(serial))
        {
            return RevokeOutcome.AlreadyRevoked;
        }

        using var current = LoadLeaf(renewAt);
        var existing = File.Exists(Directory.Revoked) ? File.ReadAllText(Directory.Revoked) : string.Empty;
        var line = serial + " " + Time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) + "\n";
        SecureFile.WriteText(Directory.Revoked, existing + line);
        if (current is null || current.SerialNumber != serial)
        {
            return RevokeOutcome.Recorded;
        }

        var (names, addresses) = LeafNames.Of(current.Leaf);
        var lifetime = current.NotAfter - current.NotBefore - CertificateFactory.Backdate;
        using var replacement = IssueLeaf(new LocalCaOptions
        {
            DnsNames = names,
            IpAddresses = addresses,
            LeafLifetime = lifetime < TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : lifetime,
            RenewAt = renewAt,
        });
        return RevokeOutcome.RevokedServingLeafAndReissued;
    }
}

/// <summary>What <see cref="LocalCa.Revoke"/> did.</summary>
public enum RevokeOutcome
{
    /// <summary>The serial was the served leaf; it is revoked and a new leaf was issued.</summary>
    RevokedServingLeafAndReissued = 1,

    /// <summary>The serial is not the stored leaf; it is recorded so it is never loaded again.</summary>
    Recorded = 2,

    /// <summary>The serial was already on the list.</summary>
    AlreadyRevoked = 3,
}
