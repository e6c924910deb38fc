using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Hosting.Identity.Login;

/// <summary>
/// CSRF tokens for the login form (double submit, signed): <c>nonce(16) ‖ expiry(8, unix s) ‖ HMAC-SHA256(key,
/// registration id ‖ nonce ‖ expiry)</c> in unpadded base64url, sent both as a cookie and as a hidden form field.
/// A post is accepted only when both are present, equal, correctly signed for this registration, unexpired and
/// not used before (each token works once; a replayed or tampered cookie fails). The key is per process.
/// </summary>
public sealed class LoginCsrf(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);

    public string Issue(string registrationId)
    {
        var nonce = RandomNumberGenerator.GetBytes(16);
        var expiry = BitConverter.GetBytes(time.GetUtcNow().Add(Lifetime).ToUnixTimeSeconds());
        var mac = Mac(registrationId, nonce, expiry);
        return Base64Url([.. nonce, .. expiry, .. mac]);
    }

    public bool TryConsume(string registrationId, string? cookie, string? field)
    {
        if (string.IsNullOrEmpty(cookie) || string.IsNullOrEmpty(field) || cookie.Length > 128
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(cookie), Encoding.ASCII.GetBytes(field)))
        {
            return false;
        }

        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(cookie.Replace('-', '+').Replace('_', '/') + new string('=', (4 - (cookie.Length % 4)) % 4));
        }
        catch (FormatException)
        {
            return false;
        }

        if (raw.Length != 16 + 8 + 32)
        {
            return false;
        }

        var nonce = raw[..16];
        var expiry = raw[16..24];
        if (!CryptographicOperations.FixedTimeEquals(Mac(registrationId, nonce, expiry), raw.AsSpan(24)))
        {
            return false;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(BitConverter.ToInt64(expiry));
        var now = time.GetUtcNow();
        if (expires <= now)
        {
            return false;
        }

        foreach (var (k, until) in _used)
        {
            if (until <= now)
            {
                _used.TryRemove(k, out _);
            }
        }

        return _used.TryAdd(Convert.ToHexString(nonce), expires);
    }

    private byte[] Mac(string registrationId, byte[] nonce, byte[] expiry) =>
        HMACSHA256.HashData(_key, (byte[])[.. Encoding.UTF8.GetBytes(registrationId), 0, .. nonce, .. expiry]);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
