using System.Buffers.Binary;
using System.Text;

namespace Appliance.Updates.Bundles;

/// <summary>Writes the container described in <see cref="BundleLayout"/>.</summary>
public static class BundleWriter
{
    /// <summary>
    /// Writes a bundle. <paramref name="openFile"/> returns the content of each manifest file in order; the
    /// writer copies exactly the declared size and fails if the source is shorter or longer.
    /// </summary>
    public static void Write(Stream output, BundleManifest manifest, IEnumerable<BundleSignature> signatures, Func<ManifestFileDocument, Stream> openFile)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(openFile);
        WriteHeader(output, manifest.Bytes, signatures.ToList(), manifest.Files.Count);
        var buffer = new byte[81920];
        foreach (var file in manifest.Files)
        {
            WriteEntryHeader(output, file.Name, file.Size);
            using var source = openFile(file);
            long left = file.Size;
            while (left > 0)
            {
                var n = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n == 0)
                {
                    throw new IOException($"{file.Name} is shorter than its declared {file.Size} bytes");
                }

                output.Write(buffer, 0, n);
                left -= n;
            }

            if (source.Read(buffer, 0, 1) != 0)
            {
                throw new IOException($"{file.Name} is longer than its declared {file.Size} bytes");
            }
        }
    }

    public static void WriteHeader(Stream output, ReadOnlySpan<byte> manifest, IReadOnlyList<BundleSignature> signatures, int entryCount)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(signatures);
        Span<byte> fixedPart = stackalloc byte[BundleLayout.HeaderSize];
        BundleLayout.Magic.CopyTo(fixedPart);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[8..], BundleLayout.FormatVersion);
        BinaryPrimitives.WriteUInt16BigEndian(fixedPart[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(fixedPart[12..], (uint)manifest.Length);
        output.Write(fixedPart);
        output.Write(manifest);
        Span<byte> u16 = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(u16, (ushort)signatures.Count);
        output.Write(u16);
        foreach (var s in signatures)
        {
            output.Write(s.KeyId.ToBytes());
            output.Write(s.Signature.Span);
        }

        BinaryPrimitives.WriteUInt16BigEndian(u16, (ushort)entryCount);
        output.Write(u16);
    }

    public static void WriteEntryHeader(Stream output, string name, long size, byte type = BundleLayout.RegularFile)
    {
        ArgumentNullException.ThrowIfNull(output);
        var nameBytes = Encoding.UTF8.GetBytes(name);
        Span<byte> u16 = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(u16, (ushort)nameBytes.Length);
        output.Write(u16);
        output.Write(nameBytes);
        output.WriteByte(type);
        Span<byte> u64 = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(u64, (ulong)size);
        output.Write(u64);
    }
}
