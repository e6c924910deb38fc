using Appliance.Pki.Authority;
using Appliance.Pki.Files;
using Appliance.Pki.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Appliance.Pki.Tests.Authority;

public sealed class RotationTests
{
    [Fact]
    public void Rotating_the_intermediate_keeps_the_root_and_clients_still_validate()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);
        using var rotated = ca.RotateIntermediate(TestCa.Options(), offlineRootDir: null);

        Assert.Equal(ca.Root.Thumbprint, rotated.Root.Thumbprint);
        Assert.NotEqual(ca.Intermediate.Thumbprint, rotated.Intermediate.Thumbprint);
        using var leaf = rotated.LoadLeaf(0.66)!;
        Assert.Equal(rotated.Intermediate.Thumbprint, leaf.Chain[0].Thumbprint);
        using var chain = Chains.Build(ca.Root, leaf.Leaf, leaf.Chain);
        Assert.True(chain.Valid, chain.Describe());
    }

    [Fact]
    public void Rotating_the_intermediate_can_permit_new_names()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);
        Assert.Throws<CaException>(() => ca.IssueLeaf(TestCa.Options("new.example")));
        using var rotated = ca.RotateIntermediate(TestCa.Options("new.example"), offlineRootDir: null);
        using var leaf = rotated.IssueLeaf(TestCa.Options("new.example"));
        Assert.True(leaf.Leaf.MatchesHostname("new.example"));
    }

    [Fact]
    public void A_new_offline_root_is_cross_signed_so_clients_trusting_either_root_validate()
    {
        using var temp = new TempFolder();
        var usb = temp.Combine("usb");
        using var ca = LocalCa.Initialise(temp.Combine("data"), TestCa.Options(), TimeProvider.System, usb);
        var oldRootKey = File.ReadAllText(CaDirectory.RootKeyIn(usb));
        using var rotated = ca.RotateRoot(TestCa.Options(), usb);

        Assert.NotEqual(ca.Root.Thumbprint, rotated.Root.Thumbprint);
        Assert.NotEqual(oldRootKey, File.ReadAllText(CaDirectory.RootKeyIn(usb)));
        Assert.False(File.Exists(rotated.Directory.RootKey));
        using var leaf = rotated.LoadLeaf(0.66)!;
        Assert.Equal(2, leaf.Chain.Count);

        using var viaOld = Chains.Build(ca.Root, leaf.Leaf, leaf.Chain);
        Assert.True(viaOld.Valid, "old root: " + viaOld.Describe());
        using var viaNew = Chains.Build(rotated.Root, leaf.Leaf, leaf.Chain);
        Assert.True(viaNew.Valid, "new root: " + viaNew.Describe());

        var bundle = rotated.TrustedRoots();
        Assert.Equal([rotated.Root.Thumbprint, ca.Root.Thumbprint], bundle.Select(r => r.Thumbprint));

        var oldRootPem = temp.Combine("old-root.pem");
        File.WriteAllText(oldRootPem, ca.Root.ExportCertificatePem());
        var untrusted = temp.Combine("untrusted.pem");
        File.WriteAllText(untrusted, string.Join("\n", leaf.Chain.Select(c => c.ExportCertificatePem())));
        var leafPem = temp.Combine("leaf.pem");
        File.WriteAllText(leafPem, leaf.Leaf.ExportCertificatePem());
        var (exit, output) = OpenSsl.Run("verify", "-CAfile", oldRootPem, "-untrusted", untrusted, leafPem);
        Assert.True(exit == 0, output);
    }

    [Fact]
    public void After_the_overlap_the_old_root_leaves_the_bundle_and_the_cross_certificate_is_no_longer_served()
    {
        using var temp = new TempFolder();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), time);
        using var rotated = ca.RotateRoot(new LocalCaOptions { DnsNames = ["appliance.test"], RootOverlap = TimeSpan.FromDays(10) }, null);
        time.Advance(TimeSpan.FromDays(11));

        Assert.Single(rotated.TrustedRoots());
        using var leaf = rotated.IssueLeaf(new LocalCaOptions { DnsNames = ["appliance.test"] });
        Assert.Single(leaf.Chain);
    }

    [Fact]
    public void Revoking_the_served_leaf_issues_a_replacement_and_the_old_serial_is_never_loaded_again()
    {
        using var temp = new TempFolder();
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), TimeProvider.System);
        using var first = ca.IssueLeaf(TestCa.Options());

        Assert.Equal(RevokeOutcome.RevokedServingLeafAndReissued, ca.Revoke(first.SerialNumber));
        Assert.Equal(RevokeOutcome.AlreadyRevoked, ca.Revoke(first.SerialNumber.ToUpperInvariant()));
        using var current = ca.EnsureLeaf(TestCa.Options());
        Assert.NotEqual(first.SerialNumber, current.SerialNumber);
        Assert.Equal(RevokeOutcome.Recorded, ca.Revoke("0abc" + new string('1', 28)));
        var partial = Assert.Throws<CaException>(() => ca.Revoke(current.SerialNumber[..6]));
        Assert.Equal(CaErrorKind.InvalidRequest, partial.Kind);
        Assert.Contains("not a whole serial", partial.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(current.SerialNumber[..6].ToLowerInvariant(), ca.RevokedSerials());
        Assert.Equal(CaErrorKind.InvalidRequest, Assert.Throws<CaException>(() => ca.Revoke("not-hex")).Kind);
    }

    [Fact]
    public void EnsureLeaf_keeps_a_current_leaf_and_renews_past_the_renewal_point_or_on_a_name_change()
    {
        using var temp = new TempFolder();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var ca = LocalCa.Initialise(temp.Path, TestCa.Options(), time);
        using var first = ca.EnsureLeaf(TestCa.Options());
        using var same = ca.EnsureLeaf(TestCa.Options());
        Assert.Equal(first.SerialNumber, same.SerialNumber);

        time.Advance(TimeSpan.FromDays(19));
        using var stillSame = ca.EnsureLeaf(TestCa.Options());
        Assert.Equal(first.SerialNumber, stillSame.SerialNumber);
        time.Advance(TimeSpan.FromDays(1));
        using var renewed = ca.EnsureLeaf(TestCa.Options());
        Assert.NotEqual(first.SerialNumber, renewed.SerialNumber);

        using var renamed = ca.EnsureLeaf(TestCa.Options("appliance.test"));
        Assert.NotEqual(renewed.SerialNumber, renamed.SerialNumber);
    }
}
