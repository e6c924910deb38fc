using System.Security.Cryptography;

namespace Appliance.Hosting.Backup.Encryption;

/// <summary>
/// age v1 files (C2SP/C2SP age.md) to one X25519 recipient: what `backup.encrypt_to` archives are. The appliance
/// holds only the recipient (public key), so it can write archives it cannot read; `age -d -i KEY` (Debian's age)
/// or `appliance backup restore --identity KEY` reads them.
/// </summary>
public static class AgeFile
{
    /// <summary>The first bytes of every age v1 file ("age-encryption.org/v1\n").</summary>
    public static ReadOnlySpan<byte> Magic => "age-encryption.org/v1\n"u8;

    /// <summary>Writes the header and payload nonce to <paramref name="output"/>; write the plaintext to the returned stream and dispose it to seal the final chunk.</summary>
    public static Stream Encrypt(Stream output, AgeRecipient recipient)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(recipient);
        var fileKey = RandomNumberGenerator.GetBytes(AgeKeyWrap.FileKeySize);
        try
        {
            var macInput = AgeHeader.Begin([AgeKeyWrap.Wrap(recipient, fileKey)]);
            output.Write(AgeHeader.Finish(macInput, AgeKeyWrap.HeaderMac(fileKey, macInput)));
            var nonce = RandomNumberGenerator.GetBytes(AgePayload.NonceSize);
            output.Write(nonce);
            return new AgeEncryptingStream(output, AgeKeyWrap.PayloadKey(fileKey, nonce));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    /// <summary>Reads and checks the header of <paramref name="input"/>; the returned stream yields authenticated plaintext.</summary>
    /// <exception cref="AgeDecryptionException">Not an age file, not for this identity, or a header that does not authenticate.</exception>
    public static Stream Decrypt(Stream input, AgeIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(identity);
        AgeHeader header;
        byte[]? fileKey;
        try
        {
            header = AgeHeader.Read(input);
            fileKey = AgeKeyWrap.Unwrap(identity, header.Stanzas);
        }
        catch (FormatException e)
        {
            throw new AgeDecryptionException("not a readable age file: " + e.Message, e);
        }

        if (fileKey is null)
        {
            throw new AgeDecryptionException($"the file is not encrypted to {identity.Recipient} (no recipient stanza opens with this identity)");
        }

        try
        {
            if (!CryptographicOperations.FixedTimeEquals(AgeKeyWrap.HeaderMac(fileKey, header.MacInput), header.Mac))
            {
                throw new AgeDecryptionException("the header's MAC does not match: the header was changed");
            }

            var nonce = new byte[AgePayload.NonceSize];
            if (input.ReadAtLeast(nonce, nonce.Length, throwOnEndOfStream: false) != nonce.Length)
            {
                throw new AgeDecryptionException("the file ends before the payload: it is truncated");
            }

            return new AgeDecryptingStream(input, AgeKeyWrap.PayloadKey(fileKey, nonce));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    /// <summary>True when the file starts like an age v1 file.</summary>
    public static bool IsAgeFile(string path)
    {
        Span<byte> start = stackalloc byte[Magic.Length];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false) == start.Length && start.SequenceEqual(Magic);
    }

    /// <summary>
    /// What can be checked without the identity: the header follows the grammar and has an X25519 stanza of the right
    /// sizes, and the payload's length can be whole sealed chunks with a final one that is non-empty (or empty for an
    /// empty file): this catches a file cut off too early or inside a chunk's tag, not every truncation. Whether the
    /// bytes authenticate needs the key. Empty when nothing is wrong.
    /// </summary>
    public static IReadOnlyList<string> CheckWithoutKey(string path)
    {
        using var stream = File.OpenRead(path);
        AgeHeader header;
        try
        {
            header = AgeHeader.Read(stream);
        }
        catch (FormatException e)
        {
            return ["the header is not a valid age v1 header: " + e.Message];
        }

        var problems = new List<string>();
        if (!header.Stanzas.Any(s => s.Arguments[0] == AgeKeyWrap.X25519Type && s.Arguments.Count == 2 && s.Body.Length == 32))
        {
            problems.Add("no X25519 recipient stanza: it was not written by backup.encrypt_to");
        }

        var payload = stream.Length - stream.Position - AgePayload.NonceSize;
        var last = payload % AgePayload.SealedChunkSize;
        // age.md "Payload": the final chunk is non-empty unless the whole payload is empty (then it is just a tag).
        var empty = payload == AgePayload.TagSize;
        if (!empty && (payload < AgePayload.TagSize || (last != 0 && last <= AgePayload.TagSize)))
        {
            problems.Add($"the payload is {Math.Max(0, payload)} bytes, which is not whole sealed chunks with a non-empty last one: the file is truncated or has bytes appended");
        }

        return problems;
    }
}
