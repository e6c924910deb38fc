using System.Text;
using Appliance.Updates.Signing;
using NSec.Cryptography;

namespace Appliance.Updates.Tests.Signing;

public class EncryptedKeyFileTests
{
    // Cheap Argon2id for tests; production files use EncryptedKeyFile.DefaultKdf.
    private static readonly Argon2Parameters Cheap = new() { DegreeOfParallelism = 1, MemorySize = 1024, NumberOfPasses = 1 };

    [Fact]
    public void A_key_file_opens_with_its_passphrase_and_signs_as_the_same_key()
    {
        using var key = SigningKey.Generate();
        var file = EncryptedKeyFile.Encrypt(key, "correct horse", Cheap);

        Assert.Equal(KeyFileOutcome.Opened, EncryptedKeyFile.TryOpen(file, "correct horse", out var opened));
        using (opened)
        {
            Assert.Equal(key.Public.Id, opened!.Public.Id);
            Assert.True(key.Public.Verify("m"u8, opened.Sign("m"u8)));
        }
    }

    [Fact]
    public void A_key_file_refuses_a_wrong_passphrase()
    {
        using var key = SigningKey.Generate();
        var file = EncryptedKeyFile.Encrypt(key, "correct horse", Cheap);

        Assert.Equal(KeyFileOutcome.WrongPassphrase, EncryptedKeyFile.TryOpen(file, "correct hors", out var opened));
        Assert.Null(opened);
    }

    [Fact]
    public void A_key_file_does_not_hold_the_private_key_in_the_clear()
    {
        using var key = SigningKey.Generate();
        var file = EncryptedKeyFile.Encrypt(key, "pw", Cheap);
        var text = Encoding.UTF8.GetString(file);
        Assert.Contains("xchacha20-poly1305", text, StringComparison.Ordinal);
        Assert.Contains("argon2id", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"seed\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_file_with_a_swapped_public_key_is_refused()
    {
        using var key = SigningKey.Generate();
        using var other = SigningKey.Generate();
        var original = Encoding.UTF8.GetString(EncryptedKeyFile.Encrypt(key, "pw", Cheap));
        var text = original.Replace(Escaped(key.Public.ToBase64()), Escaped(other.Public.ToBase64()), StringComparison.Ordinal);
        Assert.NotEqual(original, text);

        Assert.NotEqual(KeyFileOutcome.Opened, EncryptedKeyFile.TryOpen(Encoding.UTF8.GetBytes(text), "pw", out _));
    }

    // The canonical writer escapes '+' in base64 as \u002B, as System.Text.Json does by default.
    private static string Escaped(string text) => System.Text.Json.JsonEncodedText.Encode(text).ToString();

    [Fact]
    public void Every_truncation_of_a_key_file_is_refused()
    {
        using var key = SigningKey.Generate();
        var file = EncryptedKeyFile.Encrypt(key, "pw", Cheap);
        for (var n = 0; n < file.Length; n += 7)
        {
            Assert.Equal(KeyFileOutcome.Malformed, EncryptedKeyFile.TryOpen(file.AsSpan(0, n), "pw", out _));
        }
    }

    [Fact]
    public void A_public_key_file_round_trips()
    {
        using var key = SigningKey.Generate();
        var pub = EncryptedKeyFile.TryReadPublicFile(EncryptedKeyFile.PublicFile(key.Public));
        Assert.NotNull(pub);
        Assert.Equal(key.Public.Id, pub.Id);
    }
}
