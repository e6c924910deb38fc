using Appliance.Updates.Bundles;
using Appliance.Updates.Tests.TestSupport;
using Appliance.Updates.Verification;
using Appliance.Updates.Versioning;
using static Appliance.Updates.Tests.TestSupport.TestKeys;

namespace Appliance.Updates.Tests.Verification;

public class BundleVerifierTests
{
    private static VerificationPolicy Policy(string running = "1.0.0", string? content = null) => new(RootV1, BundleFactory.Now)
    {
        RunningVersion = ApplianceVersion.Parse(running),
        ContentVersion = content is null ? null : ApplianceVersion.Parse(content),
        RequiredBinaryRole = PayloadRole.ApplianceLinuxX64,
    };

    private static VerificationResult Verify(byte[] bytes, VerificationPolicy? policy = null)
    {
        using var stream = new MemoryStream(bytes);
        return BundleVerifier.Verify(stream, policy ?? Policy());
    }

    [Fact]
    public void A_release_signed_by_two_of_three_signing_keys_is_valid()
    {
        var result = Verify(BundleFactory.Release("1.1.0"));
        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(2, result.Signatures!.Value.Valid);
    }

    [Fact]
    public void Changing_any_single_byte_of_a_bundle_is_refused()
    {
        var bytes = BundleFactory.Content("2.0.0");
        for (var i = 0; i < bytes.Length; i++)
        {
            var copy = (byte[])bytes.Clone();
            copy[i] ^= 0x20;
            var result = Verify(copy);
            Assert.False(result.IsValid, $"byte {i} of {bytes.Length} changed and the bundle was still accepted");
            Assert.NotEqual(BundleError.None, result.Error);
        }
    }

    [Fact]
    public void Too_few_signatures_are_refused_naming_the_threshold()
    {
        var result = Verify(BundleFactory.Release("1.1.0", signers: [Signer1]));
        Assert.Equal(BundleError.SignatureThresholdNotMet, result.Error);
        Assert.Contains("1 valid signature(s) from distinct trusted keys, 2 required", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_repeated_by_one_key_counts_once()
    {
        var payload = BundleFactory.ReleasePayload("1.1.0");
        var manifest = BundleFactory.Manifest(BundleKind.Release, "1.1.0", payload);
        var once = BundleSignature.Create(Signer1, manifest);
        var result = Verify(BundleFactory.Write(manifest, payload, [once, once, BundleSignature.Create(Signer1, manifest)]));
        Assert.Equal(BundleError.SignatureThresholdNotMet, result.Error);
        Assert.Contains("2 repeated", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_by_an_unknown_key_does_not_count()
    {
        var result = Verify(BundleFactory.Release("1.1.0", signers: [Signer1, Outsider]));
        Assert.Equal(BundleError.SignatureThresholdNotMet, result.Error);
        Assert.Contains("1 by unknown key(s)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_key_cannot_sign_bundles_in_place_of_a_signing_key()
    {
        var result = Verify(BundleFactory.Release("1.1.0", signers: [Root1, Root2]));
        Assert.Equal(BundleError.SignatureThresholdNotMet, result.Error);
    }

    [Fact]
    public void A_signature_under_a_wrong_key_id_is_refused()
    {
        var payload = BundleFactory.ReleasePayload("1.1.0");
        var manifest = BundleFactory.Manifest(BundleKind.Release, "1.1.0", payload);
        var bySigner3 = BundleSignature.Create(Signer3, manifest);
        var claimed = new BundleSignature(Signer2.Public.Id, bySigner3.Signature);
        var result = Verify(BundleFactory.Write(manifest, payload, [BundleSignature.Create(Signer1, manifest), claimed]));
        Assert.Equal(BundleError.SignatureThresholdNotMet, result.Error);
        Assert.Contains("1 not valid", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_bundle_is_refused()
    {
        var result = Verify(BundleFactory.Release("1.1.0", expires: BundleFactory.Now.AddSeconds(-1)));
        Assert.Equal(BundleError.Expired, result.Error);
        Assert.Contains("expired", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.0.0")]
    [InlineData("0.9.9")]
    public void A_release_that_is_not_newer_than_the_running_one_is_refused(string version)
    {
        var result = Verify(BundleFactory.Release(version, minVersion: "0.0.0"));
        Assert.Equal(BundleError.NotNewer, result.Error);
    }

    [Fact]
    public void A_release_needing_a_newer_starting_version_is_refused()
    {
        var result = Verify(BundleFactory.Release("3.0.0", minVersion: "2.0.0"));
        Assert.Equal(BundleError.BelowMinimumVersion, result.Error);
        Assert.Contains("2.0.0", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_content_bundle_that_is_not_newer_than_the_applied_content_is_refused()
    {
        Assert.Equal(BundleError.NotNewer, Verify(BundleFactory.Content("2.0.0"), Policy(content: "2.0.0")).Error);
        Assert.True(Verify(BundleFactory.Content("2.0.1"), Policy(content: "2.0.0")).IsValid);
    }

    [Fact]
    public void A_release_without_a_binary_for_this_machine_is_refused()
    {
        var payload = new Dictionary<string, byte[]> { [PayloadRole.ApplianceLinuxArm64] = BundleFactory.BinaryFor("1.1.0") };
        var bytes = BundleFactory.Write(BundleFactory.Manifest(BundleKind.Release, "1.1.0", payload), payload, Signer1, Signer2);
        Assert.Equal(BundleError.WrongArchitecture, Verify(bytes).Error);
    }
}
