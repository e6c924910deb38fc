using System.Text;
using Appliance.Updates.Signing;
using Appliance.Updates.Tests.TestSupport;
using Appliance.Updates.Trust;
using static Appliance.Updates.Tests.TestSupport.TestKeys;

namespace Appliance.Updates.Tests.Trust;

public class RootMetadataTests
{
    private static RootMetadata NewRoot(int version, params SigningKey[] rootKeys) =>
        RootMetadata.Create(version, rootKeys.Select(k => k.Public), 2, [Signer1.Public, Signer2.Public], 2);

    [Fact]
    public void Root_metadata_round_trips_through_its_file_form()
    {
        Assert.True(RootMetadata.TryParse(RootV1.ToFileBytes(), out var parsed, out var error), error);
        Assert.Equal(1, parsed!.Version);
        Assert.Equal(2, parsed.Root.Threshold);
        Assert.Equal(3, parsed.Signing.Keys.Count);
        Assert.True(RootRotation.CheckInitial(parsed).IsAccepted);
    }

    [Fact]
    public void Initial_root_metadata_below_its_own_threshold_is_refused()
    {
        var once = RootMetadata.Create(1, [Root1.Public, Root2.Public], 2, [Signer1.Public], 1).WithSignature(Root1);
        var check = RootRotation.CheckInitial(once);
        Assert.False(check.IsAccepted);
        Assert.Contains("1 valid signature(s)", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rotation_signed_by_the_old_and_the_new_threshold_is_accepted()
    {
        // Root3 and a brand-new key replace Root1 and Root2.
        using var fresh = SigningKey.Generate();
        var next = NewRoot(2, Root3, fresh).WithSignature(Root1).WithSignature(Root2).WithSignature(Root3).WithSignature(fresh);
        Assert.True(RootRotation.CheckRotation(RootV1, next).IsAccepted);
    }

    [Fact]
    public void A_forged_rotation_signed_only_by_its_own_keys_is_refused()
    {
        using var attacker1 = SigningKey.Generate();
        using var attacker2 = SigningKey.Generate();
        var forged = NewRoot(2, attacker1, attacker2).WithSignature(attacker1).WithSignature(attacker2);
        var check = RootRotation.CheckRotation(RootV1, forged);
        Assert.False(check.IsAccepted);
        Assert.Contains("pinned root keys", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rotation_without_its_own_threshold_is_refused()
    {
        using var fresh1 = SigningKey.Generate();
        using var fresh2 = SigningKey.Generate();
        var next = NewRoot(2, fresh1, fresh2).WithSignature(Root1).WithSignature(Root2).WithSignature(fresh1);
        var check = RootRotation.CheckRotation(RootV1, next);
        Assert.False(check.IsAccepted);
        Assert.Contains("its own root keys", check.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_rotation_that_is_not_the_next_version_is_refused(int version)
    {
        var next = NewRoot(version, Root1, Root2).WithSignature(Root1).WithSignature(Root2);
        var check = RootRotation.CheckRotation(RootV1, next);
        Assert.False(check.IsAccepted);
        Assert.Contains("not the next version", check.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_repeated_by_one_root_key_counts_once()
    {
        var once = RootMetadata.Create(1, [Root1.Public, Root2.Public], 2, [Signer1.Public], 1).WithSignature(Root1);
        var text = Encoding.UTF8.GetString(once.ToFileBytes());
        var sig = once.Signatures[0];
        var doubled = text.Replace("\"signatures\":[", $"\"signatures\":[{{\"key_id\":\"{sig.KeyId}\",\"sig\":\"{sig.Sig}\"}},", StringComparison.Ordinal);
        Assert.True(RootMetadata.TryParse(Encoding.UTF8.GetBytes(doubled), out var parsed, out var error), error);
        Assert.Equal(2, parsed!.Signatures.Count);
        var count = parsed.CountSignatures(parsed.Root);
        Assert.Equal(1, count.Valid);
        Assert.Equal(1, count.Repeated);
        Assert.False(RootRotation.CheckInitial(parsed).IsAccepted);
    }

    [Fact]
    public void Root_metadata_edited_by_hand_is_refused_as_not_canonical()
    {
        var text = Encoding.UTF8.GetString(RootV1.ToFileBytes()).Replace("\"version\":1", "\"version\": 1", StringComparison.Ordinal);
        Assert.False(RootMetadata.TryParse(Encoding.UTF8.GetBytes(text), out _, out var error));
        Assert.Contains("canonical", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Changing_any_signed_byte_of_root_metadata_breaks_it()
    {
        var file = RootV1.ToFileBytes();
        var signedStart = "{\"signed\":"u8.Length;
        var signedLength = RootV1.SignedBytes.Length;
        for (var i = signedStart; i < signedStart + signedLength; i += 3)
        {
            var copy = (byte[])file.Clone();
            copy[i] ^= 0x01;
            var accepted = RootMetadata.TryParse(copy, out var parsed, out _) && RootRotation.CheckInitial(parsed!).IsAccepted;
            Assert.False(accepted, $"byte {i} changed and the root metadata was still accepted");
        }
    }

    [Fact]
    public void Every_truncation_of_root_metadata_is_refused()
    {
        var file = RootV1.ToFileBytes();
        for (var n = 0; n < file.Length - 1; n += 5)
        {
            Assert.False(RootMetadata.TryParse(file.AsSpan(0, n), out _, out _), $"prefix of {n} bytes parsed");
        }
    }
}
