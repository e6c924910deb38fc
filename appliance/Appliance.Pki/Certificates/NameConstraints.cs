using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Pki.Certificates;

/// <summary>
/// The X.509 NameConstraints extension (RFC 5280 §4.2.1.10, OID 2.5.29.30) restricted to the two name forms the
/// appliance uses, DNS names and IP addresses. The intermediate carries it, critical, so a stolen intermediate key
/// can mint certificates only for the appliance's own names and addresses.
/// <code>
/// NameConstraints ::= SEQUENCE {
///     permittedSubtrees [0] IMPLICIT GeneralSubtrees OPTIONAL,
///     excludedSubtrees  [1] IMPLICIT GeneralSubtrees OPTIONAL }
/// GeneralSubtrees ::= SEQUENCE SIZE (1..MAX) OF GeneralSubtree
/// GeneralSubtree  ::= SEQUENCE { base GeneralName, minimum [0] DEFAULT 0, maximum [1] OPTIONAL }
/// GeneralName     ::= ... dNSName [2] IMPLICIT IA5String ... iPAddress [7] IMPLICIT OCTET STRING ...
///                     (in a constraint, iPAddress is address ‖ mask: 8 bytes for IPv4, 32 for IPv6)
/// </code>
/// When no DNS name is permitted, the empty DNS name is excluded (it matches every name in RFC 5280, OpenSSL and
/// Go), and likewise 0.0.0.0/0 and ::/0 when no address is permitted; otherwise an absent permitted list would
/// leave that whole name form unconstrained.
/// </summary>
public sealed record NameConstraints(
    IReadOnlyList<string> PermittedDnsNames,
    IReadOnlyList<IpSubtree> PermittedAddresses,
    IReadOnlyList<string> ExcludedDnsNames,
    IReadOnlyList<IpSubtree> ExcludedAddresses)
{
    public const string Oid = "2.5.29.30";

    private static readonly Asn1Tag PermittedTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag ExcludedTag = new(TagClass.ContextSpecific, 1, isConstructed: true);
    private static readonly Asn1Tag DnsNameTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag IpAddressTag = new(TagClass.ContextSpecific, 7);

    /// <summary>Permits exactly the given names (and their subdomains, as RFC 5280 defines) and host addresses.</summary>
    public static NameConstraints PermitOnly(IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses)
    {
        var names = dnsNames.Select(n => n.TrimEnd('.').ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        var hosts = addresses.Select(IpSubtree.Host).Distinct().ToList();
        return new NameConstraints(
            names,
            hosts,
            names.Count == 0 ? [string.Empty] : [],
            hosts.Count == 0 ? [IpSubtree.AllIPv4, IpSubtree.AllIPv6] : []);
    }

    public X509Extension ToExtension() => new(Oid, Encode(), critical: true);

    public byte[] Encode()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            WriteSubtrees(writer, PermittedTag, PermittedDnsNames, PermittedAddresses);
            WriteSubtrees(writer, ExcludedTag, ExcludedDnsNames, ExcludedAddresses);
        }

        return writer.Encode();
    }

    /// <summary>Reads the extension from <paramref name="certificate"/>; null when it has none.</summary>
    public static NameConstraints? FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var extension = certificate.Extensions[Oid];
        return extension is null ? null : Decode(extension.RawData);
    }

    /// <summary>
    /// Decodes DER. Name forms other than DNS and IP are skipped (they do not constrain the names this CA issues).
    /// Malformed input throws <see cref="CaException"/> with <see cref="CaErrorKind.CorruptFile"/>.
    /// </summary>
    public static NameConstraints Decode(ReadOnlyMemory<byte> der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var sequence = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var permittedNames = new List<string>();
            var permittedAddresses = new List<IpSubtree>();
            var excludedNames = new List<string>();
            var excludedAddresses = new List<IpSubtree>();
            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(PermittedTag))
            {
                ReadSubtrees(sequence.ReadSequence(PermittedTag), permittedNames, permittedAddresses);
            }

            if (sequence.HasData && sequence.PeekTag().HasSameClassAndValue(ExcludedTag))
            {
                ReadSubtrees(sequence.ReadSequence(ExcludedTag), excludedNames, excludedAddresses);
            }

            sequence.ThrowIfNotEmpty();
            return new NameConstraints(permittedNames, permittedAddresses, excludedNames, excludedAddresses);
        }
        catch (AsnContentException e)
        {
            throw new CaException(CaErrorKind.CorruptFile, "The NameConstraints extension is malformed: " + e.Message, e);
        }
    }

    /// <summary>True when the DNS name lies inside the permitted subtrees and outside the excluded ones.</summary>
    public bool Permits(string dnsName)
    {
        var name = dnsName.TrimEnd('.').ToLowerInvariant();
        var permitted = PermittedDnsNames.Count == 0 || PermittedDnsNames.Any(b => DnsMatches(name, b));
        return permitted && !ExcludedDnsNames.Any(b => DnsMatches(name, b));
    }

    /// <summary>True when the address lies inside the permitted ranges and outside the excluded ones.</summary>
    public bool Permits(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        // As in OpenSSL and Go: once any iPAddress subtree is permitted, an address of the other family matches none.
        var permitted = PermittedAddresses.Count == 0 || PermittedAddresses.Any(s => s.Contains(address));
        return permitted && !ExcludedAddresses.Any(s => s.Contains(address));
    }

    /// <summary>
    /// RFC 5280 DNS matching: the base matches itself and any name with labels added on the left; a base with a
    /// leading dot (OpenSSL's and Go's extension) matches only names below it; the empty base matches everything.
    /// </summary>
    private static bool DnsMatches(string name, string constraint)
    {
        var baseName = constraint.ToLowerInvariant();
        if (baseName.Length == 0)
        {
            return true;
        }

        if (baseName[0] == '.')
        {
            return name.EndsWith(baseName, StringComparison.Ordinal);
        }

        return name == baseName || name.EndsWith("." + baseName, StringComparison.Ordinal);
    }

    private static void WriteSubtrees(AsnWriter writer, Asn1Tag tag, IReadOnlyList<string> names, IReadOnlyList<IpSubtree> addresses)
    {
        if (names.Count == 0 && addresses.Count == 0)
        {
            return;
        }

        using (writer.PushSequence(tag))
        {
            foreach (var name in names)
            {
                using (writer.PushSequence())
                {
                    writer.WriteCharacterString(UniversalTagNumber.IA5String, name, DnsNameTag);
                }
            }

            foreach (var subtree in addresses)
            {
                using (writer.PushSequence())
                {
                    writer.WriteOctetString(subtree.ToBytes(), IpAddressTag);
                }
            }
        }
    }

    private static void ReadSubtrees(AsnReader subtrees, List<string> names, List<IpSubtree> addresses)
    {
        if (!subtrees.HasData)
        {
            throw new AsnContentException("GeneralSubtrees must hold at least one subtree.");
        }

        while (subtrees.HasData)
        {
            var subtree = subtrees.ReadSequence();
            var tag = subtree.PeekTag();
            if (tag.HasSameClassAndValue(DnsNameTag) && !tag.IsConstructed)
            {
                names.Add(subtree.ReadCharacterString(UniversalTagNumber.IA5String, DnsNameTag));
            }
            else if (tag.HasSameClassAndValue(IpAddressTag) && !tag.IsConstructed)
            {
                addresses.Add(IpSubtree.FromBytes(subtree.ReadOctetString(IpAddressTag)));
            }
            else
            {
                subtree.ReadEncodedValue();
            }

            // minimum and maximum: RFC 5280 requires minimum 0 and maximum absent; anything else is skipped.
            while (subtree.HasData)
            {
                subtree.ReadEncodedValue();
            }
        }
    }
}
