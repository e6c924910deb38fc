namespace Appliance.Updates.Bundles;

/// <summary>What precedes the entries: the manifest (parsed or not yet) and the signatures.</summary>
public sealed record BundleHeader(byte[] ManifestBytes, IReadOnlyList<BundleSignature> Signatures, int EntryCount, long EntriesOffset);

/// <summary>An entry header, announced before its data.</summary>
public sealed record BundleEntry(string Name, long Size);
