using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Pki.Clients;

/// <summary>
/// The names a smart-card certificate carries besides its subject: the Windows logon UPN (subjectAltName otherName
/// of type 1.3.6.1.4.1.311.20.2.3, a UTF8String; Microsoft's "Certificate requirements and enumeration" for smart
/// card logon) and e-mail addresses (subjectAltName rfc822Name, RFC 5280 §4.2.1.6, and the legacy emailAddress
/// attribute 1.2.840.113549.1.9.1 in the subject). A malformed extension yields no names rather than an error: the
/// certificate then simply matches no <c>upn:</c> or <c>email:</c> field.
/// </summary>
public static class ClientCertificateNames
{
    public const string UpnOid = "1.3.6.1.4.1.311.20.2.3";

    private const string SubjectAltNameOid = "2.5.29.17";
    private const string EmailAddressOid = "1.2.840.113549.1.9.1";

    public static IReadOnlyList<string> Upns(X509Certificate2 certificate) => Read(certificate).Upns;

    public static IReadOnlyList<string> Emails(X509Certificate2 certificate)
    {
        var emails = Read(certificate).Emails;
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames())
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == EmailAddressOid && rdn.GetSingleElementValue() is { } value)
            {
                emails.Add(value);
            }
        }

        return emails;
    }

    /// <summary>The UPNs and rfc822Names of a DER GeneralNames (the subjectAltName extension's value); empty when malformed.</summary>
    public static (List<string> Upns, List<string> Emails) ReadGeneralNames(ReadOnlySpan<byte> der)
    {
        var upns = new List<string>();
        var emails = new List<string>();
        try
        {
            var outer = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var names = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            while (names.HasData)
            {
                var tag = names.PeekTag();
                if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 0 && tag.IsConstructed)
                {
                    // otherName [0] IMPLICIT SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
                    var other = names.ReadSequence(tag);
                    var type = other.ReadObjectIdentifier();
                    var value = other.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
                    if (type == UpnOid)
                    {
                        upns.Add(value.ReadCharacterString(UniversalTagNumber.UTF8String));
                    }
                }
                else if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 1 && !tag.IsConstructed)
                {
                    emails.Add(names.ReadCharacterString(UniversalTagNumber.IA5String, tag));
                }
                else
                {
                    names.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            return ([], []);
        }

        return (upns, emails);
    }

    private static (List<string> Upns, List<string> Emails) Read(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Extensions.FirstOrDefault(e => e.Oid?.Value == SubjectAltNameOid) is { } extension
            ? ReadGeneralNames(extension.RawData)
            : ([], []);
    }
}
