using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Pki.Clients;

/// <summary>
/// One X.509 CRL of a site CA (identity.client_crl_files), read offline: the issuer, thisUpdate/nextUpdate and the
/// revoked serial numbers. The layout is RFC 5280 §5.1 (CertificateList / TBSCertList); the bytes are decoded with
/// System.Formats.Asn1 and the signature is checked with the issuer certificate's public key through .NET's
/// ECDsa/RSA VerifyData (no hand-written primitive). Bytes are untrusted until <see cref="IsSignedBy"/> says so:
/// every malformed input throws <see cref="CaException"/> (CorruptFile), never anything else.
/// </summary>
public sealed class SiteRevocationList
{
    private readonly byte[] _signedPart;
    private readonly byte[] _signature;
    private readonly string _signatureAlgorithm;
    private readonly HashSet<string> _revoked;

    private SiteRevocationList(X500DistinguishedName issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate,
        HashSet<string> revoked, byte[] signedPart, string signatureAlgorithm, byte[] signature)
    {
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
        _signedPart = signedPart;
        _signatureAlgorithm = signatureAlgorithm;
        _signature = signature;
    }

    public X500DistinguishedName Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    /// <summary>After this the list is out of date and says nothing about revocation (RFC 5280 §5.1.2.5).</summary>
    public DateTimeOffset? NextUpdate { get; }

    public int Count => _revoked.Count;

    /// <summary>Every CRL in a PEM file (<c>-----BEGIN X509 CRL-----</c> blocks) or the single DER CRL it holds.</summary>
    public static IReadOnlyList<SiteRevocationList> ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CaException(CaErrorKind.MissingFile, $"{path}: cannot read the revocation list ({e.Message}).", e);
        }

        try
        {
            return ReadBytes(bytes);
        }
        catch (CaException e)
        {
            throw new CaException(CaErrorKind.CorruptFile, $"{path}: {e.Message}", e);
        }
    }

    public static IReadOnlyList<SiteRevocationList> ReadBytes(ReadOnlySpan<byte> bytes)
    {
        var text = bytes.Length > 0 && bytes[0] == (byte)'-' ? System.Text.Encoding.ASCII.GetString(bytes) : null;
        if (text is null)
        {
            return [Parse(bytes)];
        }

        var lists = new List<SiteRevocationList>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("X509 CRL"))
            {
                var der = new byte[fields.DecodedDataLength];
                if (!Convert.TryFromBase64Chars(rest[fields.Base64Data], der, out var written) || written != der.Length)
                {
                    throw Corrupt("a PEM block is not valid base64");
                }

                lists.Add(Parse(der));
            }

            rest = rest[fields.Location.End..];
        }

        return lists.Count > 0 ? lists : throw Corrupt("no -----BEGIN X509 CRL----- block");
    }

    /// <summary>One DER-encoded CertificateList.</summary>
    public static SiteRevocationList Parse(ReadOnlySpan<byte> der)
    {
        try
        {
            var outer = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
            var list = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            var signedPart = list.PeekEncodedValue().ToArray();
            var tbs = list.ReadSequence();
            var outerAlgorithm = ReadAlgorithm(list);
            var signature = list.ReadBitString(out var unused);
            list.ThrowIfNotEmpty();
            if (unused != 0)
            {
                throw Corrupt("the signature has unused bits");
            }

            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer) && (!tbs.TryReadInt32(out var version) || version != 1))
            {
                throw Corrupt("only version 2 CRLs (and v1 without a version) are read");
            }

            if (ReadAlgorithm(tbs) != outerAlgorithm)
            {
                throw Corrupt("the inner and outer signature algorithms differ (RFC 5280 §5.1.1.2)");
            }

            var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = !tbs.HasData || !IsTime(tbs.PeekTag()) ? null : ReadTime(tbs);
            var revoked = new HashSet<string>(StringComparer.Ordinal);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(SerialKey(entry.ReadIntegerBytes().Span));
                    ReadTime(entry);
                    if (entry.HasData)
                    {
                        entry.ReadSequence(); // crlEntryExtensions: reason codes and dates do not change "revoked".
                    }

                    entry.ThrowIfNotEmpty();
                }
            }

            if (tbs.HasData)
            {
                // crlExtensions [0] EXPLICIT: the CRL number and authority key id; not needed for an offline list.
                tbs.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
            }

            tbs.ThrowIfNotEmpty();
            return new SiteRevocationList(issuer, thisUpdate, nextUpdate, revoked, signedPart, outerAlgorithm, signature);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or ArgumentException or OverflowException)
        {
            throw Corrupt($"not a DER X.509 CRL ({e.Message})");
        }
    }

    /// <summary>Whether <paramref name="issuer"/> (the CA named in <see cref="Issuer"/>) signed this list.</summary>
    public bool IsSignedBy(X509Certificate2 issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        if (!issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer.RawData))
        {
            return false;
        }

        // OIDs from RFC 5758 §3.2 (ECDSA) and RFC 4055 §5 (RSA PKCS#1 v1.5).
        var (hash, ecdsa) = _signatureAlgorithm switch
        {
            "1.2.840.10045.4.3.2" => (HashAlgorithmName.SHA256, true),
            "1.2.840.10045.4.3.3" => (HashAlgorithmName.SHA384, true),
            "1.2.840.10045.4.3.4" => (HashAlgorithmName.SHA512, true),
            "1.2.840.113549.1.1.11" => (HashAlgorithmName.SHA256, false),
            "1.2.840.113549.1.1.12" => (HashAlgorithmName.SHA384, false),
            "1.2.840.113549.1.1.13" => (HashAlgorithmName.SHA512, false),
            _ => (default(HashAlgorithmName), false),
        };
        if (hash.Name is null)
        {
            return false;
        }

        if (ecdsa)
        {
            using var key = issuer.GetECDsaPublicKey();
            return key is not null && key.VerifyData(_signedPart, _signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }

        using var rsa = issuer.GetRSAPublicKey();
        return rsa is not null && rsa.VerifyData(_signedPart, _signature, hash, RSASignaturePadding.Pkcs1);
    }

    /// <summary>Whether the list names <paramref name="certificate"/>'s serial number.</summary>
    public bool Contains(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return _revoked.Contains(SerialKey(certificate.SerialNumberBytes.Span));
    }

    /// <summary>The serial as a canonical number (leading zero bytes of the DER INTEGER do not matter).</summary>
    private static string SerialKey(ReadOnlySpan<byte> bigEndian) =>
        new BigInteger(bigEndian, isUnsigned: true, isBigEndian: true).ToString("x", System.Globalization.CultureInfo.InvariantCulture);

    private static string ReadAlgorithm(AsnReader reader)
    {
        var algorithm = reader.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        if (algorithm.HasData)
        {
            algorithm.ReadEncodedValue(); // parameters (NULL for RSA); PSS parameters are refused by the OID above.
        }

        algorithm.ThrowIfNotEmpty();
        return oid;
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    private static CaException Corrupt(string why) => new(CaErrorKind.CorruptFile, why);
}
