using System.Globalization;
using Appliance.Updates.Json;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Bundles;

/// <summary>A validated manifest together with the exact canonical bytes that signers sign.</summary>
public sealed class BundleManifest
{
    public const int CurrentFormat = 1;
    private const string DateFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    private BundleManifest(ManifestDocument document, byte[] bytes, BundleKind kind, ApplianceVersion version,
        ApplianceVersion minVersion, DateTimeOffset created, DateTimeOffset expires)
    {
        Document = document;
        Bytes = bytes;
        Kind = kind;
        Version = version;
        MinVersion = minVersion;
        Created = created;
        Expires = expires;
    }

    public ManifestDocument Document { get; }

    public byte[] Bytes { get; }

    public BundleKind Kind { get; }

    public ApplianceVersion Version { get; }

    public ApplianceVersion MinVersion { get; }

    public DateTimeOffset Created { get; }

    public DateTimeOffset Expires { get; }

    public IReadOnlyList<ManifestFileDocument> Files => Document.Files;

    public static string FormatDate(DateTimeOffset when) =>
        when.ToUniversalTime().ToString(DateFormat, CultureInfo.InvariantCulture);

    public static BundleManifest Create(BundleKind kind, ApplianceVersion version, ApplianceVersion minVersion,
        DateTimeOffset created, DateTimeOffset expires, IEnumerable<ManifestFileDocument> files)
    {
        var doc = new ManifestDocument(CurrentFormat, kind == BundleKind.Release ? "release" : "content", version.ToString(),
            minVersion.ToString(), FormatDate(created), FormatDate(expires), files.ToList());
        var bytes = CanonicalJson.Serialize(doc, UpdatesJsonContext.Default.ManifestDocument);
        return TryParse(bytes, BundleLimits.Default, out var manifest, out var error)
            ? manifest!
            : throw new ArgumentException("The manifest is not valid: " + error);
    }

    public static bool TryParse(ReadOnlySpan<byte> bytes, BundleLimits limits, out BundleManifest? manifest, out string error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        manifest = null;
        var doc = CanonicalJson.TryParseCanonical(bytes, UpdatesJsonContext.Default.ManifestDocument, out var parseError);
        if (doc is null)
        {
            error = "manifest: " + parseError;
            return false;
        }

        if (doc.Format != CurrentFormat)
        {
            error = $"manifest format {doc.Format} is not supported (this appliance reads format {CurrentFormat})";
            return false;
        }

        BundleKind kind;
        switch (doc.Kind)
        {
            case "release": kind = BundleKind.Release; break;
            case "content": kind = BundleKind.Content; break;
            default:
                error = $"manifest kind \"{doc.Kind}\" is neither \"release\" nor \"content\"";
                return false;
        }

        if (!ApplianceVersion.TryParse(doc.Version, out var version) || !ApplianceVersion.TryParse(doc.MinVersion, out var minVersion))
        {
            error = "manifest version and min_version must be MAJOR.MINOR.PATCH";
            return false;
        }

        if (!TryParseDate(doc.Created, out var created) || !TryParseDate(doc.Expires, out var expires) || expires <= created)
        {
            error = "manifest created and expires must be UTC dates (yyyy-MM-ddTHH:mm:ssZ) with expires after created";
            return false;
        }

        if (!TryValidateFiles(doc, kind, limits, out error))
        {
            return false;
        }

        manifest = new BundleManifest(doc, bytes.ToArray(), kind, version, minVersion, created, expires);
        return true;
    }

    private static bool TryValidateFiles(ManifestDocument doc, BundleKind kind, BundleLimits limits, out string error)
    {
        if (doc.Files.Count == 0 || doc.Files.Count > limits.MaxEntries)
        {
            error = $"manifest must list between 1 and {limits.MaxEntries} files";
            return false;
        }

        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in doc.Files)
        {
            if (!PayloadRole.NameOf.TryGetValue(file.Role, out var expectedName) || file.Name != expectedName)
            {
                error = $"manifest file \"{file.Name}\" has unknown role \"{file.Role}\" or the wrong name for it";
                return false;
            }

            if (!roles.Add(file.Role))
            {
                error = $"manifest lists role \"{file.Role}\" twice";
                return false;
            }

            if (file.Size < 0 || file.Size > limits.MaxEntryBytes)
            {
                error = $"manifest file \"{file.Name}\" declares size {file.Size}, outside 0..{limits.MaxEntryBytes}";
                return false;
            }

            if (file.Sha256.Length != 64 || !file.Sha256.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            {
                error = $"manifest file \"{file.Name}\" sha256 must be 64 lowercase hex digits";
                return false;
            }
        }

        var binaries = roles.Count(PayloadRole.IsBinary);
        if (kind == BundleKind.Release && binaries == 0)
        {
            error = "a release bundle must carry at least one appliance binary";
            return false;
        }

        if (kind == BundleKind.Content && binaries > 0)
        {
            error = "a content bundle must not carry an appliance binary";
            return false;
        }

        error = string.Empty;
        return true;
    }

    private static bool TryParseDate(string text, out DateTimeOffset when) =>
        DateTimeOffset.TryParseExact(text, DateFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out when);
}
