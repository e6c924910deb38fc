using Appliance.Hosting.Identity;

namespace Appliance.Hosting.Tests.Identity;

/// <summary>
/// TOTP against RFC 6238 Appendix B (SHA-1 rows; seed "12345678901234567890", 30-second steps, T0 = 0). The RFC
/// prints 8 digits; an authenticator shows 6, and HOTP's truncation (RFC 4226 §5.3) is the same number mod 10^digits,
/// so the 6-digit code the login page checks is the RFC value's last six digits.
/// </summary>
public sealed class TotpRfc6238Tests
{
    // base32("12345678901234567890"), the RFC's SHA-1 seed.
    private const string RfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    public static TheoryData<long, string> Vectors => new()
    {
        { 59, "94287082" },
        { 1111111109, "07081804" },
        { 1111111111, "14050471" },
        { 1234567890, "89005924" },
        { 2000000000, "69279037" },
        { 20000000000, "65353130" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_code_for_each_RFC_time_is_the_RFC_value(long unixSeconds, string rfcCode)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);

        Assert.Equal(rfcCode[^TotpSecret.Digits..], TotpSecret.Code(RfcSecret, at));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void The_login_check_accepts_the_RFC_code_at_its_step_and_the_next_one_only(long unixSeconds, string rfcCode)
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        var code = rfcCode[^TotpSecret.Digits..];
        var step = unixSeconds / TotpSecret.StepSeconds;

        Assert.Equal(step, TotpSecret.Match(RfcSecret, code, at));
        Assert.Equal(step, TotpSecret.Match(RfcSecret, code, at.AddSeconds(TotpSecret.StepSeconds))); // one step of skew
        Assert.Null(TotpSecret.Match(RfcSecret, code, at.AddSeconds(2 * TotpSecret.StepSeconds)));
        Assert.Null(TotpSecret.Match(RfcSecret, code, at.AddSeconds(-TotpSecret.StepSeconds))); // no future codes
    }

    [Fact]
    public void A_code_from_the_RFC_is_used_once_then_refused_as_a_replay()
    {
        var at = DateTimeOffset.FromUnixTimeSeconds(1111111109);
        var guard = new TotpReplayGuard();
        var step = TotpSecret.Match(RfcSecret, "081804", at)!.Value;

        Assert.True(guard.TryUse("alice@site", step));
        Assert.False(guard.TryUse("alice@site", step));
        Assert.False(guard.TryUse("alice@site", step - 1));
        Assert.True(guard.TryUse("bob@site", step));
    }

    [Theory]
    [InlineData("")]
    [InlineData("08180")]
    [InlineData("0818044")]
    [InlineData("08l804")]
    [InlineData("081805")]
    public void Malformed_or_wrong_codes_are_refused(string code) =>
        Assert.Null(TotpSecret.Match(RfcSecret, code, DateTimeOffset.FromUnixTimeSeconds(1111111109)));

    [Fact]
    public void A_new_secret_is_valid_and_its_enrolment_uri_carries_it()
    {
        var secret = TotpSecret.NewSecret();
        var uri = new Uri(TotpSecret.OtpAuthUri("Appliance", "alice@site", secret));

        Assert.True(TotpSecret.IsValid(secret));
        Assert.Equal("otpauth", uri.Scheme);
        Assert.Contains("secret=" + secret, uri.Query, StringComparison.Ordinal);
        Assert.Equal(TotpSecret.Code(secret, DateTimeOffset.UnixEpoch.AddDays(1)), TotpSecret.Code(secret, DateTimeOffset.UnixEpoch.AddDays(1)));
    }
}
