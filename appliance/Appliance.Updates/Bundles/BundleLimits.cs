namespace Appliance.Updates.Bundles;

/// <summary>
/// Bounds the reader checks before it reads anything a length field announces. The single-file appliance is
/// about 100 MB; 1 GiB per file leaves room without letting a hostile length ask for the disk.
/// </summary>
public sealed record BundleLimits
{
    public static readonly BundleLimits Default = new();

    public int MaxManifestBytes { get; init; } = 1 << 20;

    public int MaxSignatures { get; init; } = 32;

    public int MaxEntries { get; init; } = 16;

    public int MaxNameBytes { get; init; } = 128;

    public long MaxEntryBytes { get; init; } = 1L << 30;
}
