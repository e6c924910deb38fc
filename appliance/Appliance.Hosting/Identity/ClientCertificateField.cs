using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Hosting.Identity;

/// <summary>
/// The identity file's <c>client_certificate</c> field: which certificate logs a person in. Four forms (decision
/// 0090-identity-site-ca):
/// <list type="bullet">
/// <item><c>sha256:HEX</c>: the SHA-256 of the certificate's DER (64 hex digits, colons allowed, any case), as
/// <c>openssl x509 -noout -fingerprint -sha256</c> prints it: exactly one certificate;</item>
/// <item>a subject such as <c>CN=alice@site, O=Appliance</c>: every certificate with that subject from a trusted CA
/// (what <c>appliance users cert issue</c> writes, so a reissued certificate needs no edit). Attribute names and
/// values are compared ignoring case and the order of the attributes (openssl and .NET print them in opposite orders).</item>
/// <item><c>upn:alice@corp.example</c>: a certificate whose subjectAltName carries that Windows logon UPN (the
/// smart-card norm; compared ignoring case, as Active Directory does);</item>
/// <item><c>email:alice@example.org</c>: a certificate whose subjectAltName rfc822Name (or legacy subject
/// emailAddress) is that address, ignoring case.</item>
/// </list>
/// The certificate must have been accepted by <see cref="Appliance.Pki.Clients.ClientCertificateVerifier"/> first
/// (local CA or a configured site CA): every form matches certificates of any trusted CA.
/// </summary>
public static class ClientCertificateField
{
    public const string FingerprintPrefix = "sha256:";

    public const string UpnPrefix = "upn:";

    public const string EmailPrefix = "email:";

    /// <summary>Null when <paramref name="value"/> is usable; otherwise why not.</summary>
    public static string? Problem(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.StartsWith(FingerprintPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Fingerprint(value) is null ? "\"client_certificate\": sha256: must be followed by 64 hex digits (colons allowed)" : null;
        }

        if (Named(value, UpnPrefix) is { } upn)
        {
            return IsAddressLike(upn) ? null : "\"client_certificate\": upn: must be followed by a user principal name such as alice@corp.example";
        }

        if (Named(value, EmailPrefix) is { } email)
        {
            return IsAddressLike(email) ? null : "\"client_certificate\": email: must be followed by an e-mail address";
        }

        return Attributes(value) is null
            ? "\"client_certificate\" must be sha256:HEX, upn:NAME, email:ADDRESS or a certificate subject such as \"CN=alice@site, O=Appliance\""
            : null;
    }

    /// <summary>A canonical key for duplicate detection: two fields with the same key name the same certificates.</summary>
    public static string Key(string value) =>
        Fingerprint(value) is { } hex ? FingerprintPrefix + hex
        : Named(value, UpnPrefix) is { } upn ? UpnPrefix + upn.ToUpperInvariant()
        : Named(value, EmailPrefix) is { } email ? EmailPrefix + email.ToUpperInvariant()
        : string.Join('\n', Attributes(value) ?? []);

    public static bool Matches(string value, X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(certificate);
        if (value.StartsWith(FingerprintPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Fingerprint(value) is { } hex &&
                CryptographicOperations.FixedTimeEquals(Convert.FromHexString(hex), SHA256.HashData(certificate.RawData));
        }

        if (Named(value, UpnPrefix) is { } upn)
        {
            return Appliance.Pki.Clients.ClientCertificateNames.Upns(certificate).Any(u => string.Equals(u.Trim(), upn, StringComparison.OrdinalIgnoreCase));
        }

        if (Named(value, EmailPrefix) is { } email)
        {
            return Appliance.Pki.Clients.ClientCertificateNames.Emails(certificate).Any(e => string.Equals(e.Trim(), email, StringComparison.OrdinalIgnoreCase));
        }

        var wanted = Attributes(value);
        var presented = Attributes(certificate.SubjectName);
        return wanted is not null && presented is not null && wanted.SequenceEqual(presented, StringComparer.Ordinal);
    }

    /// <summary>The name after <paramref name="prefix"/> (trimmed), or null when the value has another form.</summary>
    private static string? Named(string value, string prefix) =>
        value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? value[prefix.Length..].Trim() : null;

    private static bool IsAddressLike(string name) =>
        name.Length is > 2 and <= 256 && name.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < name.Length - 1 &&
        !name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

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
