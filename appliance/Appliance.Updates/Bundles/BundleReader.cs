using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Appliance.Updates.Bundles;

/// <summary>
/// Strict, bounded reader for <see cref="BundleLayout"/>. It never allocates or reads more than a length field
/// announces, and it checks every announced length against <see cref="BundleLimits"/> and against the bytes
/// left in the stream first. Malformed input throws <see cref="BundleFormatException"/> naming the reason.
/// The reader writes nothing anywhere: a sink given to <see cref="ReadEntries"/> receives verified-so-far
/// bytes and the caller must discard them unless the whole read succeeds.
/// </summary>
public static class BundleReader
{
    public static BundleHeader ReadHeader(Stream input, BundleLimits limits)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(limits);
        if (!input.CanSeek)
        {
            throw new ArgumentException("The bundle reader needs a seekable stream to know the real length.", nameof(input));
        }

        Span<byte> fixedPart = stackalloc byte[BundleLayout.HeaderSize];
        if (Left(input) < BundleLayout.HeaderSize)
        {
            throw Fail(BundleError.Truncated, "the file is shorter than a bundle header (truncated or not a bundle)");
        }

        input.ReadExactly(fixedPart);
        if (!fixedPart[..8].SequenceEqual(BundleLayout.Magic))
        {
            throw Fail(BundleError.NotABundle, "the file does not start with the bundle magic \"APPLUPD\"");
        }

        var format = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[8..]);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(fixedPart[10..]);
        if (format != BundleLayout.FormatVersion || flags != 0)
        {
            throw Fail(BundleError.UnsupportedFormat, $"bundle format {format} with flags {flags} is not supported (expected format 1, flags 0)");
        }

        var manifestLength = BinaryPrimitives.ReadUInt32BigEndian(fixedPart[12..]);
        if (manifestLength == 0 || manifestLength > limits.MaxManifestBytes)
        {
            throw Fail(BundleError.TooLarge, $"the manifest length {manifestLength} is outside 1..{limits.MaxManifestBytes}");
        }

        var manifest = ReadBlock(input, (int)manifestLength, "the manifest");
        var signatureCount = ReadU16(input, "the signature count");
        if (signatureCount > limits.MaxSignatures)
        {
            throw Fail(BundleError.TooLarge, $"the bundle declares {signatureCount} signatures, more than the limit {limits.MaxSignatures}");
        }

        var block = ReadBlock(input, signatureCount * BundleLayout.SignatureEntrySize, "the signature block");
        var signatures = new List<BundleSignature>(signatureCount);
        for (var i = 0; i < signatureCount; i++)
        {
            var entry = block.AsMemory(i * BundleLayout.SignatureEntrySize, BundleLayout.SignatureEntrySize);
            signatures.Add(new BundleSignature(Signing.KeyId.FromBytes(entry.Span[..32]), entry[32..]));
        }

        var entryCount = ReadU16(input, "the entry count");
        if (entryCount > limits.MaxEntries)
        {
            throw Fail(BundleError.TooLarge, $"the bundle declares {entryCount} entries, more than the limit {limits.MaxEntries}");
        }

        return new BundleHeader(manifest, signatures, entryCount, input.Position);
    }

    /// <summary>
    /// Reads every entry after the header, checking each against the manifest: names in manifest order, each once,
    /// regular files only, sizes as declared, SHA-256 as declared; then requires the end of the stream.
    /// <paramref name="openSink"/> may return a stream to copy an entry's bytes to, or null to only hash it.
    /// </summary>
    public static void ReadEntries(Stream input, BundleHeader header, BundleManifest manifest, BundleLimits limits,
        Func<ManifestFileDocument, Stream?>? openSink = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(limits);
        var files = manifest.Files;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            for (var i = 0; i < header.EntryCount; i++)
            {
                var entry = ReadEntryHeader(input, limits, seen);
                if (i >= files.Count || files[i].Name != entry.Name)
                {
                    throw Fail(BundleError.EntryNotInManifest, $"entry \"{entry.Name}\" is not the manifest's file #{i + 1}");
                }

                var file = files[i];
                if (entry.Size != file.Size)
                {
                    throw Fail(BundleError.SizeMismatch, $"entry \"{entry.Name}\" is {entry.Size} bytes but the manifest says {file.Size}");
                }

                CopyAndHash(input, entry, file, openSink, buffer);
            }

            if (header.EntryCount < files.Count)
            {
                throw Fail(BundleError.EntryMissing, $"the manifest lists \"{files[header.EntryCount].Name}\" but the bundle does not carry it");
            }

            if (Left(input) != 0)
            {
                throw Fail(BundleError.TrailingData, $"{Left(input)} unexpected byte(s) after the last entry");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static BundleEntry ReadEntryHeader(Stream input, BundleLimits limits, HashSet<string> seen)
    {
        var nameLength = ReadU16(input, "an entry name length");
        if (nameLength == 0 || nameLength > limits.MaxNameBytes)
        {
            throw Fail(BundleError.TooLarge, $"an entry name length {nameLength} is outside 1..{limits.MaxNameBytes}");
        }

        var nameBytes = ReadBlock(input, nameLength, "an entry name");
        string name;
        try
        {
            name = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(nameBytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail(BundleError.UnsafePath, "an entry name is not valid UTF-8");
        }

        if (!BundlePath.IsSafe(name, out var reason))
        {
            throw Fail(BundleError.UnsafePath, reason);
        }

        if (!seen.Add(name))
        {
            throw Fail(BundleError.DuplicateEntry, $"entry \"{name}\" appears more than once");
        }

        Span<byte> typeAndSize = stackalloc byte[9];
        if (Left(input) < typeAndSize.Length)
        {
            throw Fail(BundleError.Truncated, $"the bundle ends inside the header of entry \"{name}\"");
        }

        input.ReadExactly(typeAndSize);
        if (typeAndSize[0] != BundleLayout.RegularFile)
        {
            throw Fail(BundleError.NotARegularFile, $"entry \"{name}\" has type 0x{typeAndSize[0]:x2}; only regular files ('0') are allowed, never links or devices");
        }

        var size = BinaryPrimitives.ReadUInt64BigEndian(typeAndSize[1..]);
        if (size > (ulong)limits.MaxEntryBytes)
        {
            throw Fail(BundleError.TooLarge, $"entry \"{name}\" declares {size} bytes, more than the limit {limits.MaxEntryBytes}");
        }

        if ((long)size > Left(input))
        {
            throw Fail(BundleError.Truncated, $"entry \"{name}\" declares {size} bytes but only {Left(input)} remain (truncated)");
        }

        return new BundleEntry(name, (long)size);
    }

    private static void CopyAndHash(Stream input, BundleEntry entry, ManifestFileDocument file, Func<ManifestFileDocument, Stream?>? openSink, byte[] buffer)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var sink = openSink?.Invoke(file);
        var left = entry.Size;
        while (left > 0)
        {
            var n = input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0)
            {
                throw Fail(BundleError.Truncated, $"the bundle ends inside entry \"{entry.Name}\"");
            }

            hash.AppendData(buffer, 0, n);
            sink?.Write(buffer, 0, n);
            left -= n;
        }

        if (Convert.ToHexStringLower(hash.GetHashAndReset()) != file.Sha256)
        {
            throw Fail(BundleError.HashMismatch, $"entry \"{entry.Name}\" does not match its SHA-256 in the manifest");
        }
    }

    private static long Left(Stream input) => input.Length - input.Position;

    private static ushort ReadU16(Stream input, string what)
    {
        Span<byte> two = stackalloc byte[2];
        if (Left(input) < 2)
        {
            throw Fail(BundleError.Truncated, $"the bundle ends before {what} (truncated)");
        }

        input.ReadExactly(two);
        return BinaryPrimitives.ReadUInt16BigEndian(two);
    }

    private static byte[] ReadBlock(Stream input, int length, string what)
    {
        if (length > Left(input))
        {
            throw Fail(BundleError.Truncated, $"{what} declares {length} bytes but only {Left(input)} remain (truncated)");
        }

        var block = new byte[length];
        input.ReadExactly(block);
        return block;
    }

    private static BundleFormatException Fail(BundleError error, string message) => new(error, message);
}
