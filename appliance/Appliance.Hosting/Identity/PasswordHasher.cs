using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Appliance.Hosting.Identity;

/// <summary>
/// Argon2id password hashes as PHC strings (<c>$argon2id$v=19$m=65536,t=3,p=1$SALT$HASH</c>, salt and hash in
/// unpadded standard base64; the format of the reference implementation, phc-winner-argon2 src/encoding.c).
/// Argon2id itself is libsodium's (crypto_pwhash) through NSec; nothing here is a primitive, only the encoding.
/// New hashes use 64 MiB, 3 passes, 1 lane, a 16-byte random salt and a 32-byte output (RFC 9106 §4's second
/// recommended option, 64 MiB, with t=3). Verification accepts any parameters within <see cref="MaxMemoryKiB"/>
/// and <see cref="MaxPasses"/> so a file hashed elsewhere (argon2 CLI, p=1) still works; libsodium supports one lane only.
/// </summary>
public static class PasswordHasher
{
    public const int MemoryKiB = 64 * 1024;
    public const int Passes = 3;
    public const int MaxMemoryKiB = 1024 * 1024;
    public const int MaxPasses = 16;
    public const int MaxPasswordLength = 1024;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Hash(string password) => Hash(password, RandomNumberGenerator.GetBytes(SaltBytes), MemoryKiB, Passes);

    public static string Hash(string password, byte[] salt, int memoryKiB, int passes)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(salt);
        var hash = Derive(password, salt, memoryKiB, passes, HashBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v=19$m={memoryKiB},t={passes},p=1${B64(salt)}${B64(hash)}");
    }

    /// <summary>True when <paramref name="password"/> matches; a malformed hash never matches.</summary>
    public static bool Verify(string password, string phc)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Length > MaxPasswordLength || !TryParse(phc, out var parsed, out _))
        {
            return false;
        }

        var actual = Derive(password, parsed.Salt, parsed.MemoryKiB, parsed.Passes, parsed.Hash.Length);
        return CryptographicOperations.FixedTimeEquals(actual, parsed.Hash);
    }

    public sealed record Phc(int MemoryKiB, int Passes, byte[] Salt, byte[] Hash);

    public static bool TryParse(string? text, out Phc parsed, out string problem)
    {
        parsed = null!;
        problem = "\"password\" must be an Argon2id PHC string ($argon2id$v=19$m=...,t=...,p=1$salt$hash; appliance users passwd writes one)";
        var parts = (text ?? "").Split('$');
        if (parts.Length != 6 || parts[0].Length != 0 || parts[1] != "argon2id" || parts[2] != "v=19")
        {
            return false;
        }

        int m = 0, t = 0, p = 0;
        foreach (var kv in parts[3].Split(','))
        {
            var pair = kv.Split('=');
            if (pair.Length != 2 || !int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                return false;
            }

            switch (pair[0])
            {
                case "m": m = v; break;
                case "t": t = v; break;
                case "p": p = v; break;
                default: return false;
            }
        }

        if (p != 1 || m < 8 || m > MaxMemoryKiB || t < 1 || t > MaxPasses)
        {
            problem = $"the Argon2id parameters must be p=1, m=8..{MaxMemoryKiB} KiB, t=1..{MaxPasses}";
            return false;
        }

        if (!TryB64(parts[4], out var salt) || salt.Length < 8 || salt.Length > 64
            || !TryB64(parts[5], out var hash) || hash.Length < 16 || hash.Length > 64)
        {
            return false;
        }

        parsed = new Phc(m, t, salt, hash);
        return true;
    }

    private static byte[] Derive(string password, byte[] salt, int memoryKiB, int passes, int length)
    {
        // NSec's Argon2Parameters.MemorySize is in KiB, as PHC's m is.
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = 1,
            MemorySize = memoryKiB,
            NumberOfPasses = passes,
        });
        return algorithm.DeriveBytes(Encoding.UTF8.GetBytes(password), salt, length);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryB64(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length == 0 || text.Length > 128 || text.Contains('='))
        {
            return false;
        }

        var padded = text + new string('=', (4 - (text.Length % 4)) % 4);
        try
        {
            bytes = Convert.FromBase64String(padded);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
