using Appliance.Hosting.Identity;

namespace Appliance.Hosting.Tests.Identity;

/// <summary>Argon2id PHC strings through NSec/libsodium: round trip, refusal of a wrong password, malformed hashes.</summary>
public sealed class PasswordHasherTests
{
    [Fact]
    public void A_hash_round_trips_as_a_PHC_string_and_refuses_a_wrong_password()
    {
        var phc = PasswordHasher.Hash("correct horse battery staple");

        Assert.StartsWith($"$argon2id$v=19$m={PasswordHasher.MemoryKiB},t={PasswordHasher.Passes},p=1$", phc, StringComparison.Ordinal);
        Assert.True(PasswordHasher.TryParse(phc, out var parsed, out _));
        Assert.Equal(16, parsed.Salt.Length);
        Assert.Equal(32, parsed.Hash.Length);
        Assert.True(PasswordHasher.Verify("correct horse battery staple", phc));
        Assert.False(PasswordHasher.Verify("correct horse battery stapler", phc));
        Assert.False(PasswordHasher.Verify("", phc));
    }

    [Fact]
    public void Two_hashes_of_one_password_differ_by_salt_and_both_verify()
    {
        var a = PasswordHasher.Hash("s3cret");
        var b = PasswordHasher.Hash("s3cret");

        Assert.NotEqual(a, b);
        Assert.True(PasswordHasher.Verify("s3cret", a));
        Assert.True(PasswordHasher.Verify("s3cret", b));
    }

    [Fact]
    public void Parameters_are_read_from_the_string_so_cheaper_hashes_made_elsewhere_verify()
    {
        var salt = new byte[16];
        var phc = PasswordHasher.Hash("pw", salt, 1024, 2);

        Assert.Equal("$argon2id$v=19$m=1024,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$", phc[..^43]);
        Assert.True(PasswordHasher.Verify("pw", phc));
        Assert.Equal(phc, PasswordHasher.Hash("pw", salt, 1024, 2)); // deterministic for a given salt
        Assert.False(PasswordHasher.Verify("pw", phc.Replace("t=2", "t=3", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plaintext")]
    [InlineData("$argon2i$v=19$m=1024,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2id$v=16$m=1024,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2id$v=19$m=1024,t=2,p=4$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2id$v=19$m=99999999,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("$argon2id$v=19$m=1024,t=2,p=1$!!!$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Malformed_hashes_never_verify(string phc)
    {
        Assert.False(PasswordHasher.TryParse(phc, out _, out var why));
        Assert.False(string.IsNullOrEmpty(why));
        Assert.False(PasswordHasher.Verify("pw", phc));
    }
}
