namespace Appliance.Updates.Bundles;

/// <summary>
/// The bundle container, format 1. All integers are big-endian. Designed to be read strictly and in one pass:
/// every length is checked against <see cref="BundleLimits"/> and against the bytes actually left in the file
/// before anything is read, and the file must end exactly after the last entry.
/// <code>
/// offset  size  field
///  0       8    magic "APPLUPD\0"            41 50 50 4C 55 50 44 00
///  8       2    format version = 1
/// 10       2    flags = 0 (any other value is refused)
/// 12       4    manifest length M (1..MaxManifestBytes)
/// 16       M    manifest: canonical JSON (ManifestDocument), the bytes that are signed
///  +       2    signature count S (0..MaxSignatures)
///  +    96*S    signatures: 32-byte key id (SHA-256 of the public key) + 64-byte Ed25519 signature over
///               "appliance bundle manifest v1\n" + manifest
///  +       2    entry count E (must equal the manifest's file count)
///  then E entries, in manifest order:
///          2    name length N (1..MaxNameBytes)
///          N    name, UTF-8, relative, segments [A-Za-z0-9][A-Za-z0-9._-]* joined by '/'
///          1    type: '0' (0x30, a regular file, as tar's typeflag); links and anything else are refused
///          8    size (0..MaxEntryBytes), equal to the manifest's size for this name
///          size data; its SHA-256 must equal the manifest's
///  EOF
/// </code>
/// Signatures sit outside what they sign, so each signer appends one without touching the rest (two-person
/// signing on two machines). The signature block is before the payload so `sign` rewrites only a small prefix
/// conceptually; in practice it copies the file, which is fine for a few hundred megabytes.
/// </summary>
public static class BundleLayout
{
    public static ReadOnlySpan<byte> Magic => "APPLUPD\0"u8;

    public const ushort FormatVersion = 1;
    public const int HeaderSize = 16;
    public const int SignatureEntrySize = 32 + 64;
    public const byte RegularFile = (byte)'0';

    /// <summary>Conventional file extension for bundles.</summary>
    public const string Extension = ".aupd";
}
