using Appliance.State.Identity;
using Appliance.State.Tests.Support;
using SecretHashes = Appliance.Storage.Stores.SecretHashes;

namespace Appliance.State.Tests.Identity;

/// <summary>The auth key a client sends at registration is untrusted input: truncations, tampering and noise.</summary>
public sealed class PreAuthKeyInputFuzzTests
{
    [Fact]
    public void Every_proper_prefix_of_a_valid_key_is_refused()
    {
        using var state = new StateFixture();
        state.User("alice");
        var key = state.Identity.CreatePreAuthKey(new("alice", true, false, TimeSpan.FromHours(1), [])).Value!.Key;

        for (var length = 0; length < key.Length; length++)
        {
            Assert.Equal(PreAuthKeyCheck.NotFound, state.Identity.TryConsumePreAuthKey(key[..length], state.Time.GetUtcNow()).Check);
        }

        Assert.Equal(0, Assert.Single(state.Identity.ListPreAuthKeys().Value!).UsedCount);
    }

    [Fact]
    public void Changing_any_single_character_of_a_valid_key_is_refused()
    {
        using var state = new StateFixture();
        state.User("alice");
        var key = state.Identity.CreatePreAuthKey(new("alice", true, false, TimeSpan.FromHours(1), [])).Value!.Key;

        for (var i = 0; i < key.Length; i++)
        {
            var tampered = key[..i] + (key[i] == 'x' ? 'y' : 'x') + key[(i + 1)..];
            Assert.Equal(PreAuthKeyCheck.NotFound, state.Identity.TryConsumePreAuthKey(tampered, state.Time.GetUtcNow()).Check);
        }

        Assert.True(state.Identity.TryConsumePreAuthKey(key, state.Time.GetUtcNow()).IsValid);
    }

    [Fact]
    public void Seeded_random_mutations_of_a_key_never_throw_and_never_pass()
    {
        var key = KeySecrets.Generate(KeySecrets.PreAuthKind).Key;
        var random = new Random(20261125);
        const string alphabet = "apk_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-:/\0\u00e9\ud83d";

        for (var i = 0; i < 5000; i++)
        {
            var chars = key.ToCharArray().ToList();
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                var at = random.Next(chars.Count + 1);
                switch (random.Next(3))
                {
                    case 0 when chars.Count > 0 && at < chars.Count:
                        chars.RemoveAt(at);
                        break;
                    case 1:
                        chars.Insert(at, alphabet[random.Next(alphabet.Length)]);
                        break;
                    default:
                        if (at < chars.Count)
                        {
                            chars[at] = alphabet[random.Next(alphabet.Length)];
                        }

                        break;
                }
            }

            var mutated = new string([.. chars]);
            if (KeySecrets.TryGetPrefix(KeySecrets.PreAuthKind, mutated, out var prefix))
            {
                // Still well-formed: it must name a key id, and it can only match if it is the original.
                Assert.StartsWith("apk_", prefix, StringComparison.Ordinal);
                Assert.Equal(mutated == key, SecretHashes.Matches(SecretHashes.Hash(key), SecretHashes.Hash(mutated)));
            }
        }
    }
}
