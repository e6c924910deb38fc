using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Authority;
using Appliance.Pki.Clients;
using Appliance.Pki.Tests.Support;
using Appliance.TestKit.Pki;

namespace Appliance.Pki.Tests.Authority;

/// <summary>
/// A configured site CA (identity.client_ca_files) beside the local CA: smart-card certificates chain to the site
/// root, their UPN and e-mail are read from subjectAltName, and the site's CRL files revoke them offline. Every way a
/// certificate is refused has its verdict; a CRL or CA file that cannot be trusted is refused at load, naming the
/// file. openssl's own CRL check agrees with ours.
/// </summary>
public sealed class SiteCaTests : IDisposable
{
    private readonly TempFolder _temp = new();
    private readonly TestSiteCa _site = new();
    private readonly LocalCa _local;

    public SiteCaTests()
    {
        _local = LocalCa.Initialise(_temp.Path, TestCa.Options(), TimeProvider.System);
        File.WriteAllText(CaFile, _site.CaPem);
    }

    private string CaFile => Path.Combine(_temp.Path, "site-ca.pem");

    private string CrlFile => Path.Combine(_temp.Path, "site.crl");

    private string RootCrlFile => Path.Combine(_temp.Path, "root.crl");

    public void Dispose()
    {
        _local.Dispose();
        _site.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void A_smart_card_certificate_is_accepted_through_the_site_CA_and_the_local_CA_still_works()
    {
        using var card = _site.Issue("Alice Example", upn: "alice@corp.example", email: "alice@example.org");
        using var local = _local.IssueClientCertificate("alice@site", TimeSpan.FromDays(30));
        using var trust = SiteClientTrust.Load([CaFile], []);

        Assert.Equal(ClientCertificateVerdict.Accepted, Verify(trust, card));
        Assert.Equal(ClientCertificateVerdict.Accepted, Verify(trust, local));
        Assert.Equal(ClientCertificateVerdict.WrongAuthority, Verify(null, card));
        Assert.Equal(["alice@corp.example"], ClientCertificateNames.Upns(card));
        Assert.Equal(["alice@example.org"], ClientCertificateNames.Emails(card));
        Assert.Single(trust.Anchors);
        Assert.Single(trust.Intermediates);
    }

    [Fact]
    public void The_site_CRL_revokes_a_card_and_a_stale_or_missing_list_refuses_it_as_revocation_unknown()
    {
        using var revoked = _site.Issue("Bob", upn: "bob@corp.example");
        using var good = _site.Issue("Alice", upn: "alice@corp.example");
        File.WriteAllText(CrlFile, _site.IssuingCrlPem([revoked]));
        using (var trust = SiteClientTrust.Load([CaFile], [CrlFile]))
        {
            Assert.Equal(ClientCertificateVerdict.Revoked, Verify(trust, revoked));
            Assert.Equal(ClientCertificateVerdict.Accepted, Verify(trust, good));
            Assert.Equal(ClientCertificateVerdict.RevocationUnknown, Verify(trust, good, DateTimeOffset.UtcNow.AddDays(8)));
        }

        // Only the root's list is configured: the issuing CA's own certificates cannot be checked.
        File.WriteAllText(RootCrlFile, _site.RootCrlPem([]));
        using (var rootOnly = SiteClientTrust.Load([CaFile], [RootCrlFile]))
        {
            Assert.Equal(ClientCertificateVerdict.RevocationUnknown, Verify(rootOnly, good));
        }

        // The root revoked the issuing CA (RSA-signed list): every card under it is revoked.
        File.WriteAllText(RootCrlFile, _site.RootCrlPem([_site.Issuing]));
        File.WriteAllText(CrlFile, _site.IssuingCrlPem([]));
        using var both = SiteClientTrust.Load([CaFile], [CrlFile, RootCrlFile]);
        Assert.Equal(ClientCertificateVerdict.Revoked, Verify(both, good));
    }

    [Fact]
    public void Expired_foreign_and_server_certificates_of_the_site_are_refused_with_their_verdict()
    {
        using var other = new TestSiteCa("Other Site");
        using var foreign = other.Issue("Alice", upn: "alice@corp.example");
        using var expired = _site.Issue("Alice", upn: "alice@corp.example", notBefore: DateTimeOffset.UtcNow.AddDays(-10), notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        using var trust = SiteClientTrust.Load([CaFile], []);

        Assert.Equal(ClientCertificateVerdict.WrongAuthority, Verify(trust, foreign));
        Assert.Equal(ClientCertificateVerdict.Expired, Verify(trust, expired));
        Assert.Equal(ClientCertificateVerdict.NotForClientAuthentication, Verify(trust, _site.Issuing));
    }

    [Fact]
    public void CA_and_CRL_files_that_cannot_be_trusted_are_refused_naming_the_file()
    {
        using var other = new TestSiteCa("Other Site");
        File.WriteAllText(CrlFile, other.IssuingCrlPem([]));
        var foreignList = Assert.Throws<CaException>(() => SiteClientTrust.Load([CaFile], [CrlFile]));
        Assert.Contains("is not signed by a certificate in identity.client_ca_files", foreignList.Message, StringComparison.Ordinal);
        Assert.StartsWith(CrlFile, foreignList.Message, StringComparison.Ordinal);

        File.WriteAllText(CrlFile, "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
        Assert.Equal(CaErrorKind.CorruptFile, Assert.Throws<CaException>(() => SiteClientTrust.Load([CaFile], [CrlFile])).Kind);

        using var card = _site.Issue("Alice", upn: "alice@corp.example");
        var leafFile = Path.Combine(_temp.Path, "leaf.pem");
        File.WriteAllText(leafFile, card.ExportCertificatePem());
        Assert.Contains("is not a CA certificate", Assert.Throws<CaException>(() => SiteClientTrust.Load([leafFile], [])).Message, StringComparison.Ordinal);

        var issuingOnly = Path.Combine(_temp.Path, "issuing.pem");
        File.WriteAllText(issuingOnly, _site.Issuing.ExportCertificatePem());
        Assert.Contains("no self-signed root", Assert.Throws<CaException>(() => SiteClientTrust.Load([issuingOnly], [])).Message, StringComparison.Ordinal);
        Assert.Equal(CaErrorKind.MissingFile, Assert.Throws<CaException>(() => SiteClientTrust.Load([Path.Combine(_temp.Path, "none.pem")], [])).Kind);
    }

    [Fact]
    public void Openssl_agrees_with_the_site_CRL_check()
    {
        using var revoked = _site.Issue("Bob", upn: "bob@corp.example");
        using var good = _site.Issue("Alice", upn: "alice@corp.example");
        File.WriteAllText(CrlFile, _site.IssuingCrlPem([revoked]));
        foreach (var (certificate, expected) in new[] { (revoked, ClientCertificateVerdict.Revoked), (good, ClientCertificateVerdict.Accepted) })
        {
            var leaf = Path.Combine(_temp.Path, "leaf.pem");
            File.WriteAllText(leaf, certificate.ExportCertificatePem());
            var (exit, output) = OpenSsl.Run("verify", "-CAfile", CaFile, "-CRLfile", CrlFile, "-crl_check", "-purpose", "sslclient", leaf);
            using var trust = SiteClientTrust.Load([CaFile], [CrlFile]);
            Assert.Equal(expected, Verify(trust, certificate));
            Assert.True((exit == 0) == (expected == ClientCertificateVerdict.Accepted), output);
            if (expected == ClientCertificateVerdict.Revoked)
            {
                Assert.Contains("revoked", output, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Fact]
    public void Fuzzed_CRLs_and_subjectAltNames_give_a_clear_error_or_no_names_never_another_exception()
    {
        using var card = _site.Issue("Alice", upn: "alice@corp.example", email: "alice@example.org");
        var pem = _site.IssuingCrlPem([card]);
        var der = Convert.FromBase64String(pem[PemEncoding.Find(pem).Base64Data]);
        var san = card.Extensions.First(e => e.Oid?.Value == "2.5.29.17").RawData;
        Assert.Equal(1, SiteRevocationList.Parse(der).Count);
        var random = new Random(14);
        for (var i = 0; i < 3000; i++)
        {
            var mutated = Mutate(random, der);
            try
            {
                SiteRevocationList.Parse(mutated);
            }
            catch (CaException e)
            {
                Assert.Equal(CaErrorKind.CorruptFile, e.Kind);
            }

            var names = ClientCertificateNames.ReadGeneralNames(Mutate(random, san));
            Assert.True(names.Upns.Count + names.Emails.Count <= 3, "more names than the extension holds");
        }
    }

    private ClientCertificateVerdict Verify(SiteClientTrust? trust, X509Certificate2 certificate, DateTimeOffset? at = null) =>
        ClientCertificateVerifier.Verify(_temp.Path, trust, certificate, at ?? DateTimeOffset.UtcNow);

    private static byte[] Mutate(Random random, byte[] original)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(3))
        {
            case 0:
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 1:
                return bytes[..random.Next(bytes.Length)];
            default:
                var extra = new byte[random.Next(1, 8)];
                random.NextBytes(extra);
                return [.. bytes, .. extra];
        }
    }
}
