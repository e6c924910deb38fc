using System.Security.Cryptography;

namespace Appliance.Storage.Stores;

/// <summary>
/// Pre-auth and API keys are long random secrets, so a plain SHA-256 is enough to store them (a slow password hash
/// would cap registrations: docs/architecture.md "Map streams"). Comparison is constant-time so a timing probe cannot
/// learn a stored hash byte by byte.
/// </summary>
internal static class SecretHashes
{
    public const int Size = 32;

    public static byte[] Hash(ReadOnlySpan<char> secret)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(secret.ToArray());
        try
        {
            return SHA256.HashData(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>True when both are 32-byte hashes and equal, compared in constant time.</summary>
    public static bool Matches(ReadOnlySpan<byte> stored, ReadOnlySpan<byte> presented) =>
        stored.Length == Size && presented.Length == Size && CryptographicOperations.FixedTimeEquals(stored, presented);
}
