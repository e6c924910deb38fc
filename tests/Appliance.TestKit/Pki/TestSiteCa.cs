using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.TestKit.Pki;

/// <summary>
/// A site's smart-card PKI made in the test: an RSA root (as many site roots are) and an ECDSA issuing CA under it,
/// smart-card-like client certificates (subjectAltName UPN otherName and rfc822Name, EKU clientAuth) and CRLs from
/// .NET's CertificateRevocationListBuilder. Nothing is written outside the folders the test passes.
/// </summary>
public sealed class TestSiteCa : IDisposable
{
    private const string UpnOid = "1.3.6.1.4.1.311.20.2.3";
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    private readonly RSA _rootKey = RSA.Create(2048);
    private readonly ECDsa _issuingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private int _crlNumber;

    public TestSiteCa(string name = "Example Site")
    {
        var now = DateTimeOffset.UtcNow;
        var root = new CertificateRequest($"CN={name} Root CA, O={name}", _rootKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        AddCaExtensions(root, root.PublicKey);
        Root = root.CreateSelfSigned(now.AddDays(-60), now.AddYears(10));

        var issuing = new CertificateRequest($"CN={name} Smart Card CA, O={name}", _issuingKey, HashAlgorithmName.SHA256);
        AddCaExtensions(issuing, issuing.PublicKey);
        issuing.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Root, true, false));
        using var issuingPublic = issuing.Create(Root.SubjectName, X509SignatureGenerator.CreateForRSA(_rootKey, RSASignaturePadding.Pkcs1),
            now.AddDays(-30), now.AddYears(5), RandomSerial());
        Issuing = issuingPublic.CopyWithPrivateKey(_issuingKey);
    }

    public X509Certificate2 Root { get; }

    public X509Certificate2 Issuing { get; }

    /// <summary>The CA file an operator gives as identity.client_ca_files: root, then issuing CA.</summary>
    public string CaPem => Root.ExportCertificatePem() + "\n" + Issuing.ExportCertificatePem() + "\n";

    /// <summary>A smart-card certificate with a key (loadable by SslStream), as the card would present it.</summary>
    public X509Certificate2 Issue(string commonName, string? upn, string? email = null, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}, O=Example Site", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClientAuthOid)], false));
        request.CertificateExtensions.Add(SubjectAltName(upn, email));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Issuing, true, false));
        var now = DateTimeOffset.UtcNow;
        using var made = request.Create(Issuing, notBefore ?? now.AddHours(-1), notAfter ?? now.AddDays(30), RandomSerial());
        using var withKey = made.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12, "test"), "test");
    }

    /// <summary>The issuing CA's CRL (PEM) naming <paramref name="revoked"/>.</summary>
    public string IssuingCrlPem(IEnumerable<X509Certificate2> revoked, DateTimeOffset? thisUpdate = null, DateTimeOffset? nextUpdate = null) =>
        Crl(Issuing, revoked, thisUpdate, nextUpdate, null);

    /// <summary>The root's CRL (PEM), RSA-signed, naming revoked issuing CAs.</summary>
    public string RootCrlPem(IEnumerable<X509Certificate2> revoked, DateTimeOffset? nextUpdate = null) =>
        Crl(Root, revoked, null, nextUpdate, RSASignaturePadding.Pkcs1);

    /// <summary>The certificate as PKCS#12 (what a browser or Playwright's clientCertificates imports).</summary>
    public static byte[] Pfx(X509Certificate2 certificate, string password) => certificate.Export(X509ContentType.Pkcs12, password);

    public void Dispose()
    {
        Root.Dispose();
        Issuing.Dispose();
        _rootKey.Dispose();
        _issuingKey.Dispose();
    }

    private string Crl(X509Certificate2 issuer, IEnumerable<X509Certificate2> revoked, DateTimeOffset? thisUpdate, DateTimeOffset? nextUpdate, RSASignaturePadding? padding)
    {
        var builder = new CertificateRevocationListBuilder();
        var at = thisUpdate ?? DateTimeOffset.UtcNow.AddMinutes(-5);
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, at, X509RevocationReason.KeyCompromise);
        }

        var der = builder.Build(issuer, new BigInteger(++_crlNumber), nextUpdate ?? at.AddDays(7), HashAlgorithmName.SHA256, padding, at);
        return PemEncoding.WriteString("X509 CRL", der) + "\n";
    }

    private static void AddCaExtensions(CertificateRequest request, PublicKey key)
    {
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(key, false));
    }

    /// <summary>GeneralNames with otherName UPN ([0] { OID, [0] EXPLICIT UTF8String }) and rfc822Name ([1] IA5String), RFC 5280 §4.2.1.6.</summary>
    private static X509Extension SubjectAltName(string? upn, string? email)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (upn is not null)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                {
                    writer.WriteObjectIdentifier(UpnOid);
                    using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true)))
                    {
                        writer.WriteCharacterString(UniversalTagNumber.UTF8String, upn);
                    }
                }
            }

            if (email is not null)
            {
                writer.WriteCharacterString(UniversalTagNumber.IA5String, email, new Asn1Tag(TagClass.ContextSpecific, 1));
            }

            writer.WriteCharacterString(UniversalTagNumber.IA5String, "card.example.site", new Asn1Tag(TagClass.ContextSpecific, 2));
        }

        return new X509Extension("2.5.29.17", writer.Encode(), critical: false);
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        return serial;
    }
}
