using System.Globalization;
using OtpNet;

namespace Appliance.Hosting.Identity;

/// <summary>
/// TOTP (RFC 6238: SHA-1, 30-second steps, 6 digits: what authenticator apps default to) through Otp.NET
/// (decision 0083). A code is accepted for the current step or the one before (clock skew), and only once:
/// the caller keeps the last step used per person (<see cref="TotpReplayGuard"/>).
/// </summary>
public static class TotpSecret
{
    public const int Digits = 6;
    public const int StepSeconds = 30;

    public static string NewSecret() => Base32Encoding.ToString(KeyGeneration.GenerateRandomKey(20)).TrimEnd('=');

    public static bool IsValid(string secret)
    {
        if (secret.Length < 16 || secret.Length > 128)
        {
            return false;
        }

        try
        {
            return Base32Encoding.ToBytes(secret).Length >= 10;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The time step the code matches (current or previous), or null.</summary>
    public static long? Match(string secret, string code, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(code);
        code = code.Trim().Replace(" ", "", StringComparison.Ordinal);
        if (code.Length != Digits || !code.All(char.IsAsciiDigit) || !IsValid(secret))
        {
            return null;
        }

        var totp = new Totp(Base32Encoding.ToBytes(secret), StepSeconds, OtpHashMode.Sha1, Digits);
        return totp.VerifyTotp(now.UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 0)) ? step : null;
    }

    /// <summary>The code for a time (tests and `users totp enroll` to show the first code).</summary>
    public static string Code(string secret, DateTimeOffset at) =>
        new Totp(Base32Encoding.ToBytes(secret), StepSeconds, OtpHashMode.Sha1, Digits).ComputeTotp(at.UtcDateTime);

    /// <summary>otpauth:// URI (Google Authenticator key-uri format) for enrolment.</summary>
    public static string OtpAuthUri(string issuer, string login, string secret) => string.Create(CultureInfo.InvariantCulture,
        $"otpauth://totp/{Uri.EscapeDataString(issuer)}:{Uri.EscapeDataString(login)}?secret={secret}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}");
}

/// <summary>Remembers the last TOTP step accepted per person, so a code works once (RFC 6238 §5.2).</summary>
public sealed class TotpReplayGuard
{
    private readonly Dictionary<string, long> _lastStep = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>True (and remembered) when <paramref name="step"/> is later than the last one this person used.</summary>
    public bool TryUse(string login, long step)
    {
        lock (_lock)
        {
            if (_lastStep.TryGetValue(login, out var last) && step <= last)
            {
                return false;
            }

            _lastStep[login] = step;
            return true;
        }
    }
}
