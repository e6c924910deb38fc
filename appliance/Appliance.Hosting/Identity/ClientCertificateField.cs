using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Hosting.Identity;

/// <summary>
/// The identity file's <c>client_certificate</c> field: which certificate logs a person in. Two forms:
/// <list type="bullet">
/// <item><c>sha256:HEX</c>: the SHA-256 of the certificate's DER (64 hex digits, colons allowed, any case), as
/// <c>openssl x509 -noout -fingerprint -sha256</c> prints it: exactly one certificate;</item>
/// <item>a subject such as <c>CN=alice@site, O=Appliance</c>: every certificate with that subject from a trusted CA
/// (what <c>appliance users cert issue</c> writes, so a reissued certificate needs no edit). Attribute names and
/// values are compared ignoring case and the order of the attributes (openssl and .NET print them in opposite orders).</item>
/// </list>
/// </summary>
public static class ClientCertificateField
{
    public const string FingerprintPrefix = "sha256:";

    /// <summary>Null when <paramref name="value"/> is usable; otherwise why not.</summary>
    public static string? Problem(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StartsWith(FingerprintPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Fingerprint(value) is null ? "\"client_certificate\": sha256: must be followed by 64 hex digits (colons allowed)" : null;
        }

        return Attributes(value) is null
            ? "\"client_certificate\" must be sha256:HEX or a certificate subject such as \"CN=alice@site, O=Appliance\""
            : null;
    }

    /// <summary>A canonical key for duplicate detection: two fields with the same key name the same certificates.</summary>
    public static string Key(string value) =>
        Fingerprint(value) is { } hex ? FingerprintPrefix + hex : string.Join('\n', Attributes(value) ?? []);

    public static bool Matches(string value, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(certificate);
        if (value.StartsWith(FingerprintPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Fingerprint(value) is { } hex &&
                CryptographicOperations.FixedTimeEquals(Convert.FromHexString(hex), SHA256.HashData(certificate.RawData));
        }

        var wanted = Attributes(value);
        var presented = Attributes(certificate.SubjectName);
        return wanted is not null && presented is not null && wanted.SequenceEqual(presented, StringComparer.Ordinal);
    }

    private static string? Fingerprint(string value)
    {
        var hex = value[FingerprintPrefix.Length..].Replace(":", "", StringComparison.Ordinal).Trim().ToLowerInvariant();
        return hex.Length == 64 && hex.All(char.IsAsciiHexDigit) ? hex : null;
    }

    private static List<string>? Attributes(string subject)
    {
        try
        {
            return Attributes(new X500DistinguishedName(subject));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>Sorted "oid=value" strings (values upper-cased), or null for an empty or multi-valued name.</summary>
    private static List<string>? Attributes(X500DistinguishedName name)
    {
        var result = new List<string>();
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements || rdn.GetSingleElementValue() is not { } text)
            {
                return null;
            }

            result.Add(rdn.GetSingleElementType().Value + "=" + text.Trim().ToUpperInvariant());
        }

        result.Sort(StringComparer.Ordinal);
        return result.Count == 0 ? null : result;
    }
}
