using System.Net;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Authority;
using Appliance.Pki.Certificates;
using Appliance.Pki.Files;
using Appliance.Pki.Tests.Support;

namespace Appliance.Pki.Tests.Authority;

public sealed class ChainValidationTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_served_chain_validates_with_dotnet_against_the_root_alone(bool offlineRoot)
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Combine("data"), TestCa.Options(), TimeProvider.System, offlineRoot ? temp.Combine("usb") : null);
        using var leaf = ca.IssueLeaf(TestCa.Options());

        using var chain = Chains.Build(ca.Root, leaf.Leaf, leaf.Chain);
        Assert.True(chain.Valid, chain.Describe());
        Assert.Equal(3, chain.Chain.ChainElements.Count);
        Assert.Single(leaf.Chain);
        Assert.Equal(ca.Intermediate.Thumbprint, leaf.Chain[0].Thumbprint);
    }

    [Fact]
    public void The_leaf_is_an_ECDSA_P256_server_certificate_with_every_configured_name()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);
        using var leaf = ca.IssueLeaf(TestCa.Options());

        using var key = leaf.Leaf.GetECDsaPublicKey();
        Assert.Equal(256, key!.KeySize);
        var (names, addresses) = LeafNames.Of(leaf.Leaf);
        Assert.Equal(["appliance.test", "derp.appliance.test"], names);
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], addresses);
        var eku = leaf.Leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        Assert.Equal("1.3.6.1.5.5.7.3.1", eku.EnhancedKeyUsages[0].Value);
        Assert.True(leaf.Leaf.MatchesHostname("appliance.test"));
        Assert.Equal(TimeSpan.FromDays(30) + CertificateFactory.Backdate, leaf.NotAfter - leaf.NotBefore);
    }

    [Fact]
    public void The_intermediate_has_path_length_zero_and_critical_name_constraints()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);

        var basic = ca.Intermediate.Extensions.OfType<X509BasicConstraintsExtension>().Single();
        Assert.True(basic.CertificateAuthority);
        Assert.True(basic.HasPathLengthConstraint);
        Assert.Equal(0, basic.PathLengthConstraint);
        var constraints = ca.Intermediate.Extensions[NameConstraints.Oid];
        Assert.NotNull(constraints);
        Assert.True(constraints.Critical);
        Assert.Equal(["appliance.test", "derp.appliance.test"], ca.Constraints!.PermittedDnsNames);
    }

    [Fact]
    public void Openssl_verifies_the_chain()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Combine("data"), TestCa.Options(), TimeProvider.System, temp.Combine("usb"));
        using var leaf = ca.IssueLeaf(TestCa.Options());
        var files = Chains.WritePems(temp, ca.Root, ca.Intermediate, leaf.Leaf);

        var (exit, output) = OpenSsl.Run("verify", "-CAfile", files.Root, "-untrusted", files.Intermediate, files.Leaf);
        Assert.True(exit == 0, output);
        Assert.Contains(": OK", output, StringComparison.Ordinal);

        var (hostExit, hostOutput) = OpenSsl.Run("verify", "-CAfile", files.Root, "-untrusted", files.Intermediate,
            "-verify_hostname", "derp.appliance.test", "-verify_ip", "127.0.0.1", files.Leaf);
        Assert.True(hostExit == 0, hostOutput);
    }

    [Fact]
    public void Issuing_for_a_name_outside_the_constraints_is_refused()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);

        var error = Assert.Throws<CaException>(() => ca.IssueLeaf(TestCa.Options("appliance.test", "bank.example")));
        Assert.Equal(CaErrorKind.NameOutsideConstraints, error.Kind);
        Assert.Contains("bank.example", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(ca.Directory.Leaf));

        var address = Assert.Throws<CaException>(() => ca.IssueLeaf(new LocalCaOptions { DnsNames = ["appliance.test"], IpAddresses = [IPAddress.Parse("10.9.9.9")] }));
        Assert.Equal(CaErrorKind.NameOutsideConstraints, address.Kind);
    }

    [Fact]
    public void Subdomains_of_a_configured_name_are_inside_the_constraints()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);
        using var leaf = ca.IssueLeaf(TestCa.Options("login.appliance.test"));
        using var chain = Chains.Build(ca.Root, leaf.Leaf, leaf.Chain);
        Assert.True(chain.Valid, chain.Describe());
    }

    [Fact]
    public void A_leaf_for_another_name_forged_with_the_intermediate_key_fails_dotnet_and_openssl()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Combine("data"), TestCa.Options(), TimeProvider.System, temp.Combine("usb"));
        using var intermediateKey = SecureFile.ReadPrivateKey(ca.Directory.IntermediateKey);
        using var key = KeyPolicy.NewKey();
        using var forged = CertificateFactory.CreateLeaf(key, ["bank.example"], [], ca.Intermediate, intermediateKey, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));

        using var chain = Chains.Build(ca.Root, forged, [ca.Intermediate]);
        Assert.False(chain.Valid, "a name outside the constraints must not validate");
        Assert.Contains(chain.Chain.ChainStatus, s =>
            s.Status.HasFlag(X509ChainStatusFlags.HasNotPermittedNameConstraint) ||
            s.Status.HasFlag(X509ChainStatusFlags.InvalidNameConstraints) ||
            s.Status.HasFlag(X509ChainStatusFlags.HasExcludedNameConstraint));

        var files = Chains.WritePems(temp, ca.Root, ca.Intermediate, forged);
        var (exit, output) = OpenSsl.Run("verify", "-CAfile", files.Root, "-untrusted", files.Intermediate, files.Leaf);
        Assert.NotEqual(0, exit);
        Assert.Contains("error 47", output, StringComparison.Ordinal); // X509_V_ERR_PERMITTED_VIOLATION: "permitted subtree violation"
    }

    [Fact]
    public void A_forged_leaf_for_another_address_fails_openssl()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);
        using var intermediateKey = SecureFile.ReadPrivateKey(ca.Directory.IntermediateKey);
        using var key = KeyPolicy.NewKey();
        using var forged = CertificateFactory.CreateLeaf(key, [], [IPAddress.Parse("192.0.2.77")], ca.Intermediate, intermediateKey, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));

        var files = Chains.WritePems(temp, ca.Root, ca.Intermediate, forged);
        var (exit, output) = OpenSsl.Run("verify", "-CAfile", files.Root, "-untrusted", files.Intermediate, files.Leaf);
        Assert.NotEqual(0, exit);
        Assert.Contains("error 47", output, StringComparison.Ordinal); // X509_V_ERR_PERMITTED_VIOLATION: "permitted subtree violation"
        using var chain = Chains.Build(ca.Root, forged, [ca.Intermediate]);
        Assert.False(chain.Valid);
    }
}
