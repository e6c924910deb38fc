using Appliance.State.Identity;
using Appliance.Storage.Stores;

namespace Appliance.State.Tests.Identity;

public sealed class KeySecretsTests
{
    [Fact]
    public void A_generated_key_has_its_prefix_and_hashes_to_its_stored_hash()
    {
        var generated = KeySecrets.Generate(KeySecrets.PreAuthKind);

        Assert.Matches("^apk_[0-9A-Za-z]{12}_[0-9A-Za-z]{48}$", generated.Key);
        Assert.StartsWith(generated.Prefix + "_", generated.Key, StringComparison.Ordinal);
        Assert.True(SecretHashes.Matches(generated.Hash, SecretHashes.Hash(generated.Key)));
        Assert.True(KeySecrets.TryGetPrefix(KeySecrets.PreAuthKind, generated.Key, out var prefix));
        Assert.Equal(generated.Prefix, prefix);
    }

    [Fact]
    public void Two_generated_keys_differ()
    {
        var keys = Enumerable.Range(0, 100).Select(_ => KeySecrets.Generate(KeySecrets.ApiKind).Key).ToHashSet();

        Assert.Equal(100, keys.Count);
    }

    [Fact]
    public void Malformed_keys_have_no_prefix()
    {
        var good = KeySecrets.Generate(KeySecrets.PreAuthKind).Key;

        Assert.False(KeySecrets.TryGetPrefix(KeySecrets.PreAuthKind, null, out _));
        Assert.False(KeySecrets.TryGetPrefix(KeySecrets.PreAuthKind, good[..^1], out _));
        Assert.False(KeySecrets.TryGetPrefix(KeySecrets.PreAuthKind, good + "x", out _));
        Assert.False(KeySecrets.TryGetPrefix(KeySecrets.ApiKind, good, out _));
        Assert.False(KeySecrets.TryGetPrefix(KeySecrets.PreAuthKind, good[..^1] + "!", out _));
        Assert.False(KeySecrets.TryGetPrefix(KeySecrets.PreAuthKind, good.Replace('_', '-'), out _));
    }
}
