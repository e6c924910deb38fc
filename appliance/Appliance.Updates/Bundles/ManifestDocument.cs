namespace Appliance.Updates.Bundles;

/// <summary>
/// The manifest as it is signed (canonical JSON, see Json/CanonicalJson.cs):
/// <code>
/// {"format":1,"kind":"release"|"content","version":"1.2.0","min_version":"1.0.0",
///  "created":"2026-11-25T12:00:00Z","expires":"2027-02-25T12:00:00Z",
///  "files":[{"name":"linux-x64/appliance","role":"appliance-linux-x64","size":123,"sha256":HEX},...]}
/// </code>
/// Dates are UTC to the second. Files are in bundle order.
/// </summary>
public sealed record ManifestDocument(
    int Format,
    string Kind,
    string Version,
    string MinVersion,
    string Created,
    string Expires,
    List<ManifestFileDocument> Files);

public sealed record ManifestFileDocument(string Name, string Role, long Size, string Sha256);
