using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Authority;
using Appliance.Pki.Certificates;
using Appliance.Pki.Clients;
using Appliance.Pki.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Pki.Tests.Authority;

/// <summary>
/// Client certificates for the login page: issued under the name-constrained intermediate, recorded, revocable by
/// person, and checked by <see cref="ClientCertificateVerifier"/> (chain, dates, usages, revocation), with
/// Debian's openssl as an independent verifier of the chain and purpose.
/// </summary>
public sealed class ClientCertificateTests
{
    [Fact]
    public void An_issued_client_certificate_is_accepted_and_carries_the_client_profile()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);

        using var certificate = ca.IssueClientCertificate("alice@site", TimeSpan.FromDays(365));

        Assert.True(certificate.HasPrivateKey);
        Assert.Contains("CN=alice@site", certificate.Subject, StringComparison.Ordinal);
        Assert.Equal(CertificateFactory.ClientSubject("alice@site"), certificate.Subject);
        Assert.Contains(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>(),
            o => o.Value == CertificateFactory.ClientAuthOid);
        Assert.Equal(ClientCertificateVerdict.Accepted, ClientCertificateVerifier.Verify(temp.Path, certificate, DateTimeOffset.UtcNow));
        Assert.Equal(certificate.SerialNumber.ToLowerInvariant(), Assert.Single(ca.IssuedClientCertificates()).Serial);

        // openssl agrees: the chain holds under the intermediate's name constraints, for the sslclient purpose.
        var root = Path.Combine(temp.Path, "ca", "root.crt");
        var intermediate = Path.Combine(temp.Path, "ca", "intermediate.crt");
        var leaf = Path.Combine(temp.Path, "client.pem");
        File.WriteAllText(leaf, certificate.ExportCertificatePem());
        var (exit, output) = OpenSsl.Run("verify", "-CAfile", root, "-untrusted", intermediate, "-purpose", "sslclient", leaf);
        Assert.True(exit == 0, output);
        var (serverExit, _) = OpenSsl.Run("verify", "-CAfile", root, "-untrusted", intermediate, "-purpose", "sslserver", leaf);
        Assert.NotEqual(0, serverExit);
    }

    [Fact]
    public void Revoking_a_person_revokes_each_of_their_certificates_at_once()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);
        using var first = ca.IssueClientCertificate("alice@site", TimeSpan.FromDays(30));
        using var second = ca.IssueClientCertificate("alice@site", TimeSpan.FromDays(30));
        using var bobs = ca.IssueClientCertificate("bob@site", TimeSpan.FromDays(30));

        var revoked = ca.RevokeClient("alice@site");

        Assert.Equal(2, revoked.Count);
        Assert.Equal(ClientCertificateVerdict.Revoked, ClientCertificateVerifier.Verify(temp.Path, first, DateTimeOffset.UtcNow));
        Assert.Equal(ClientCertificateVerdict.Revoked, ClientCertificateVerifier.Verify(temp.Path, second, DateTimeOffset.UtcNow));
        Assert.Equal(ClientCertificateVerdict.Accepted, ClientCertificateVerifier.Verify(temp.Path, bobs, DateTimeOffset.UtcNow));
        Assert.Empty(ca.RevokeClient("alice@site"));
    }

    [Fact]
    public void Expired_not_yet_valid_foreign_and_server_certificates_are_refused_with_their_reason()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), time);
        using var shortLived = ca.IssueClientCertificate("alice@site", TimeSpan.FromHours(1));
        using var server = ca.IssueLeaf(TestCa.Options());
        using var foreignKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=alice@site, O=Appliance", foreignKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(CertificateFactory.ClientAuthOid)], false));
        using var foreign = request.CreateSelfSigned(time.GetUtcNow().AddHours(-1), time.GetUtcNow().AddDays(1));

        Assert.Equal(ClientCertificateVerdict.Expired, ClientCertificateVerifier.Verify(temp.Path, shortLived, time.GetUtcNow().AddHours(2)));
        Assert.Equal(ClientCertificateVerdict.NotYetValid, ClientCertificateVerifier.Verify(temp.Path, shortLived, time.GetUtcNow().AddHours(-3)));
        Assert.Equal(ClientCertificateVerdict.WrongAuthority, ClientCertificateVerifier.Verify(temp.Path, foreign, time.GetUtcNow()));
        Assert.Equal(ClientCertificateVerdict.NotForClientAuthentication, ClientCertificateVerifier.Verify(temp.Path, server.Leaf, time.GetUtcNow()));
        Assert.Throws<CaException>(() => ca.IssueClientCertificate("alice@site", TimeSpan.FromDays(10_000)));
    }
}
