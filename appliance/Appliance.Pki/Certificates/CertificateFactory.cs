using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Appliance.Pki.Certificates;

/// <summary>
/// Builds the three certificate profiles of the local CA with .NET's <see cref="CertificateRequest"/>:
/// <list type="bullet">
/// <item>root: CA, no path length limit beyond what the intermediate sets, keyCertSign + cRLSign, self-signed;</item>
/// <item>intermediate: CA with pathLen 0, keyCertSign + cRLSign, critical NameConstraints, signed by the root;</item>
/// <item>leaf: not a CA, digitalSignature, EKU serverAuth, SANs for every DNS name and IP address.</item>
/// </list>
/// Every certificate carries SubjectKeyIdentifier and (below the root) AuthorityKeyIdentifier so path builders on
/// Windows and Apple platforms match issuers by key, which matters once a root is rotated.
/// </summary>
public static class CertificateFactory
{
    /// <summary>Certificates start a little in the past so a client whose clock is slow still accepts them.</summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromHours(1);

    public static X509Certificate2 CreateRoot(ECDsa key, string commonName, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(key);
        var request = new CertificateRequest(Name(commonName), key, KeyPolicy.Hash);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority());
        request.CertificateExtensions.Add(CaKeyUsage());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var generator = X509SignatureGenerator.CreateForECDsa(key);
        return request.Create(request.SubjectName, generator, now - Backdate, now + lifetime, SerialNumbers.Next());
    }

    /// <summary>
    /// A cross certificate: the new root's name and key, signed by the old root. Served after the intermediate
    /// during an overlap, it lets clients that still trust only the old root build a path to it.
    /// </summary>
    public static X509Certificate2 CreateCrossCertificate(X509Certificate2 newRoot, X509Certificate2 oldRoot, ECDsa oldRootKey, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(newRoot);
        ArgumentNullException.ThrowIfNull(oldRoot);
        var request = new CertificateRequest(newRoot.SubjectName, newRoot.PublicKey, KeyPolicy.Hash);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority(pathLengthConstraint: 1));
        request.CertificateExtensions.Add(CaKeyUsage());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(oldRoot, true, false));
        var notAfter = Min(newRoot.NotAfter, oldRoot.NotAfter);
        return request.Create(oldRoot.SubjectName, X509SignatureGenerator.CreateForECDsa(oldRootKey), now - Backdate, notAfter, SerialNumbers.Next());
    }

    public static X509Certificate2 CreateIntermediate(
        ECDsa key,
        string commonName,
        X509Certificate2 issuer,
        ECDsa issuerKey,
        NameConstraints constraints,
        DateTimeOffset now,
        TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(issuer);
        ArgumentNullException.ThrowIfNull(constraints);
        var request = new CertificateRequest(Name(commonName), key, KeyPolicy.Hash);
        request.CertificateExtensions.Add(X509BasicConstraintsExtension.CreateForCertificateAuthority(pathLengthConstraint: 0));
        request.CertificateExtensions.Add(CaKeyUsage());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        request.CertificateExtensions.Add(constraints.ToExtension());
        var notAfter = Min(now + lifetime, issuer.NotAfter);
        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), now - Backdate, notAfter, SerialNumbers.Next());
    }

    public static X509Certificate2 CreateLeaf(
        ECDsa key,
        IReadOnlyList<string> dnsNames,
        IReadOnlyList<IPAddress> addresses,
        X509Certificate2 issuer,
        ECDsa issuerKey,
        DateTimeOffset now,
        TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(dnsNames);
        ArgumentNullException.ThrowIfNull(addresses);
        ArgumentNullException.ThrowIfNull(issuer);

        // The CN repeats the first DNS name for old tools; without DNS names it is a label that cannot be mistaken
        // for a host name, because OpenSSL checks a host-like CN against the DNS name constraints.
        var commonName = dnsNames.Count > 0 ? dnsNames[0] : "Appliance server";
        var request = new CertificateRequest(Name(commonName), key, KeyPolicy.Hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "serverAuth")], critical: false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in dnsNames)
        {
            san.AddDnsName(name);
        }

        foreach (var address in addresses)
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build(critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var notAfter = Min(now + lifetime, issuer.NotAfter);
        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), now - Backdate, notAfter, SerialNumbers.Next());
    }

    /// <summary>
    /// A person's client certificate for the login page: not a CA, digitalSignature, EKU clientAuth only, subject
    /// <c>CN=&lt;login&gt;, O=Appliance</c> and no subject alternative names, so the intermediate's DNS and IP name
    /// constraints have nothing to constrain (a login contains '@', so no verifier reads the CN as a host name).
    /// </summary>
    public static X509Certificate2 CreateClient(ECDsa key, string login, X509Certificate2 issuer, ECDsa issuerKey, DateTimeOffset now, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(login);
        ArgumentNullException.ThrowIfNull(issuer);
        var request = new CertificateRequest(Name(login), key, KeyPolicy.Hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ClientAuthOid, "clientAuth")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        var notAfter = Min(now + lifetime, issuer.NotAfter);
        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), now - Backdate, notAfter, SerialNumbers.Next());
    }

    /// <summary>id-kp-clientAuth (RFC 5280 §4.2.1.12).</summary>
    public const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>The subject <see cref="CreateClient"/> gives a person, in .NET's (RFC 4514-like) string form.</summary>
    public static string ClientSubject(string login) => Name(login).Name;

    private static X509KeyUsageExtension CaKeyUsage() =>
        new(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true);

    private static X500DistinguishedName Name(string commonName)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName("Appliance");
        builder.AddCommonName(commonName);
        return builder.Build();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTime b)
    {
        var other = new DateTimeOffset(b.ToUniversalTime(), TimeSpan.Zero);
        return a < other ? a : other;
    }

    private static DateTimeOffset Min(DateTime a, DateTime b) => Min(new DateTimeOffset(a.ToUniversalTime(), TimeSpan.Zero), b);
}
