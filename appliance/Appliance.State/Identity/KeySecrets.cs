using System.Buffers;
using System.Security.Cryptography;
using Appliance.Storage.Stores;

namespace Appliance.State.Identity;

/// <summary>A freshly generated key: the full text shown to the operator once, and what is stored.</summary>
/// <param name="Key">`&lt;kind&gt;_&lt;id&gt;_&lt;secret&gt;`: give this to the client; it is never stored or shown again.</param>
/// <param name="Prefix">`&lt;kind&gt;_&lt;id&gt;`: the public identifier listed and used to find the row.</param>
/// <param name="Hash">SHA-256 of the whole key text.</param>
public sealed record GeneratedKey(string Key, string Prefix, byte[] Hash);

/// <summary>
/// Long random bearer secrets for pre-auth keys (`apk`) and API keys (`api`):
/// `apk_` + 12 base62 id characters + `_` + 48 base62 secret characters (about 285 bits of secret, well beyond
/// guessing, which is why a fast SHA-256 is a safe way to store them). The id makes lookups an index hit.
/// </summary>
public static class KeySecrets
{
    public const string PreAuthKind = "apk";
    public const string ApiKind = "api";
    public const int IdLength = 12;
    public const int SecretLength = 48;

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static readonly SearchValues<char> Base62Values = SearchValues.Create(Base62);

    public static GeneratedKey Generate(string kind)
    {
        var prefix = $"{kind}_{RandomNumberGenerator.GetString(Base62, IdLength)}";
        var key = $"{prefix}_{RandomNumberGenerator.GetString(Base62, SecretLength)}";
        return new GeneratedKey(key, prefix, SecretHashes.Hash(key));
    }

    /// <summary>Splits a presented key into its public prefix; false when it does not have this kind's shape.</summary>
    public static bool TryGetPrefix(string kind, string? key, out string prefix)
    {
        prefix = string.Empty;
        var expectedLength = kind.Length + 1 + IdLength + 1 + SecretLength;
        if (key is null || key.Length != expectedLength || !key.StartsWith(kind + "_", StringComparison.Ordinal)
            || key[kind.Length + 1 + IdLength] != '_' || !IsBase62(key.AsSpan(kind.Length + 1, IdLength))
            || !IsBase62(key.AsSpan(kind.Length + IdLength + 2)))
        {
            return false;
        }

        prefix = key[..(kind.Length + 1 + IdLength)];
        return true;
    }

    private static bool IsBase62(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(Base62Values);
}
