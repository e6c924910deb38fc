using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Hosting.Tls;
using Appliance.Pki.Authority;
using Appliance.Pki.Files;
using Appliance.Pki.Health;
using Appliance.Pki.Serving;
using Appliance.Pki.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Appliance.Pki.Tests.Tls;

public sealed class StoreTests
{
    [Fact]
    public void Serve_on_an_empty_data_folder_initialises_a_CA_and_serves_a_leaf_for_the_loopback_defaults()
    {
        using var temp = new TempFolder();
        var store = new TlsCertificateStore(new ApplianceTlsOptions { DataDir = temp.Path }, TimeProvider.System, NullLogger<TlsCertificateStore>.Instance);
        Assert.True(LocalCa.IsInitialised(temp.Path));
        Assert.True(store.Current.Certificate.Leaf.MatchesHostname("localhost"));
        Assert.Equal(CertificateHealthStatus.Healthy, store.GetHealth().Status);
    }

    [Fact]
    public void A_revocation_from_the_cli_is_picked_up_by_the_next_check()
    {
        using var temp = new TempFolder();
        var store = new TlsCertificateStore(new ApplianceTlsOptions { DataDir = temp.Path }, TimeProvider.System, NullLogger<TlsCertificateStore>.Instance);
        var serial = store.Current.Certificate.SerialNumber;
        Assert.Equal(TlsCheckOutcome.Unchanged, store.Check());
        using (var ca = LocalCa.Open(temp.Path, TimeProvider.System))
        {
            ca.Revoke(serial);
        }

        Assert.Equal(TlsCheckOutcome.Swapped, store.Check());
        Assert.NotEqual(serial, store.Current.Certificate.SerialNumber);
    }

    [Fact]
    public void A_broken_key_during_a_check_keeps_the_current_certificate_in_service()
    {
        using var temp = new TempFolder();
        var store = new TlsCertificateStore(new ApplianceTlsOptions { DataDir = temp.Path }, TimeProvider.System, NullLogger<TlsCertificateStore>.Instance);
        var serving = store.Current;
        SecureFile.WriteText(new CaDirectory(temp.Path).IntermediateKey, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        Assert.Equal(TlsCheckOutcome.Failed, store.Check());
        Assert.Same(serving, store.Current);
    }

    [Fact]
    public void Startup_with_a_corrupt_key_fails_loudly()
    {
        using var temp = new TempFolder();
        using (LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System))
        {
        }

        SecureFile.WriteText(new CaDirectory(temp.Path).IntermediateKey, "garbage");
        var error = Assert.Throws<CaException>(() => new TlsCertificateStore(new ApplianceTlsOptions { DataDir = temp.Path }, TimeProvider.System, NullLogger<TlsCertificateStore>.Instance));
        Assert.Equal(CaErrorKind.CorruptFile, error.Kind);
    }

    [Fact]
    public void Site_supplied_files_are_served_and_reloaded_when_replaced()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Combine("other-pki"), TestCa.Options(), TimeProvider.System);
        var certFile = temp.Combine("site.crt");
        var keyFile = temp.Combine("site.key");
        WriteSiteFiles(ca, certFile, keyFile);
        var options = new ApplianceTlsOptions { Mode = TlsMode.Files, CertFile = certFile, KeyFile = keyFile };
        var store = new TlsCertificateStore(options, TimeProvider.System, NullLogger<TlsCertificateStore>.Instance);

        Assert.Equal(ServingSource.Files, store.Current.Certificate.Source);
        Assert.Single(store.Current.Certificate.Chain);
        var first = store.Current.Pin;
        WriteSiteFiles(ca, certFile, keyFile);
        Assert.Equal(TlsCheckOutcome.Swapped, store.Check());
        Assert.NotEqual(first, store.Current.Pin);
    }

    [Fact]
    public void A_site_key_readable_by_others_is_refused()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Combine("other-pki"), TestCa.Options(), TimeProvider.System);
        var certFile = temp.Combine("site.crt");
        var keyFile = temp.Combine("site.key");
        WriteSiteFiles(ca, certFile, keyFile);
        File.SetUnixFileMode(keyFile, (UnixFileMode)0x1A4);
        var options = new ApplianceTlsOptions { Mode = TlsMode.Files, CertFile = certFile, KeyFile = keyFile };
        Assert.Equal(CaErrorKind.InsecurePermissions, Assert.Throws<CaException>(() => new TlsCertificateStore(options, TimeProvider.System, NullLogger<TlsCertificateStore>.Instance)).Kind);
    }

    [Fact]
    public void Configured_names_outside_an_offline_intermediate_stop_startup_with_the_rotate_hint()
    {
        using var temp = new TempFolder();
        using (LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System, temp.Combine("usb")))
        {
        }

        var options = new ApplianceTlsOptions { DataDir = temp.Path, DnsNames = ["other.example"], IpAddresses = [IPAddress.Loopback] };
        var error = Assert.Throws<CaException>(() => new TlsCertificateStore(options, TimeProvider.System, NullLogger<TlsCertificateStore>.Instance));
        Assert.Equal(CaErrorKind.NameOutsideConstraints, error.Kind);
        Assert.Contains("--offline-root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_renamed_embedded_appliance_gets_a_new_intermediate_for_its_new_names_under_the_same_root()
    {
        using var temp = new TempFolder();
        string root;
        using (var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System))
        {
            root = ca.Root.Thumbprint;
        }

        var options = new ApplianceTlsOptions { DataDir = temp.Path, DnsNames = ["renamed.example"] };
        var store = new TlsCertificateStore(options, TimeProvider.System, NullLogger<TlsCertificateStore>.Instance);
        Assert.True(store.Current.Certificate.Leaf.MatchesHostname("renamed.example"));
        using var reopened = LocalCa.Open(temp.Path, TimeProvider.System);
        Assert.Equal(root, reopened.Root.Thumbprint);
        using var chain = Chains.Build(reopened.Root, store.Current.Certificate.Leaf, store.Current.Certificate.Chain);
        Assert.True(chain.Valid, chain.Describe());
    }

    private static void WriteSiteFiles(LocalCa ca, string certFile, string keyFile)
    {
        // Stands in for the site's own PKI: a leaf and its intermediate, key in a separate 0600 file.
        using var leaf = ca.IssueLeaf(TestCa.Options());
        File.WriteAllText(certFile, leaf.Leaf.ExportCertificatePem() + "\n" + ca.Intermediate.ExportCertificatePem() + "\n");
        using var key = leaf.Leaf.GetECDsaPrivateKey()!;
        SecureFile.WriteText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
