using System.Security.Cryptography;
using System.Text;

namespace Appliance.Hosting.Policy;

internal static class PolicyText
{
    /// <summary>
    /// The largest policy file read from disk (policy.file, an update bundle's policy.hujson): the admin API's
    /// request limit, Kestrel's default MaxRequestBodySize of 30,000,000 bytes, so every way in has the same cap
    /// and a huge file is refused by its size without being read into memory.
    /// </summary>
    public const long MaxBytes = 30_000_000;

    /// <summary>The same digest PolicyStore records, so a text can be matched against stored versions.</summary>
    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Reads a policy file, refusing one larger than <see cref="MaxBytes"/> before reading it.</summary>
    /// <exception cref="IOException">Unreadable, or too large (<see cref="PolicyTooLargeException"/>).</exception>
    public static string ReadFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > MaxBytes)
        {
            throw new PolicyTooLargeException($"'{path}' is {stream.Length} bytes; a policy may have at most {MaxBytes} bytes");
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>A policy file over <see cref="PolicyText.MaxBytes"/>; an IOException so callers treat it like an unreadable file.</summary>
public sealed class PolicyTooLargeException(string message) : IOException(message);
