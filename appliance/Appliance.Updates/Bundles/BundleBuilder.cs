using System.Security.Cryptography;
using Appliance.Updates.Signing;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Bundles;

/// <summary>Builds unsigned bundles from files on disk and adds signatures to existing bundles.</summary>
public static class BundleBuilder
{
    /// <summary>Hashes each payload file, writes the manifest and the container. Files go in a stable role order.</summary>
    public static BundleManifest Create(Stream output, BundleKind kind, ApplianceVersion version, ApplianceVersion minVersion,
        DateTimeOffset created, DateTimeOffset expires, IReadOnlyDictionary<string, string> filesByRole)
    {
        ArgumentNullException.ThrowIfNull(filesByRole);
        var files = new List<ManifestFileDocument>();
        foreach (var (role, name) in PayloadRole.NameOf)
        {
            if (!filesByRole.TryGetValue(role, out var path))
            {
                continue;
            }

            using var stream = File.OpenRead(path);
            var size = stream.Length;
            var hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            files.Add(new ManifestFileDocument(name, role, size, hash));
        }

        var unknown = filesByRole.Keys.Where(r => !PayloadRole.NameOf.ContainsKey(r)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException("Unknown payload role(s): " + string.Join(", ", unknown), nameof(filesByRole));
        }

        var manifest = BundleManifest.Create(kind, version, minVersion, created, expires, files);
        BundleWriter.Write(output, manifest, [], f => File.OpenRead(filesByRole[f.Role]));
        return manifest;
    }

    /// <summary>
    /// Copies <paramref name="input"/> to <paramref name="output"/> with one more signature (or a replaced one,
    /// if <paramref name="key"/> had signed before). The manifest must be valid; the payload is copied byte for
    /// byte. Returns the manifest that was signed so the signer can see what they signed.
    /// </summary>
    public static BundleManifest AddSignature(Stream input, Stream output, SigningKey key, BundleLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(key);
        limits ??= BundleLimits.Default;
        var header = BundleReader.ReadHeader(input, limits);
        if (!BundleManifest.TryParse(header.ManifestBytes, limits, out var manifest, out var error))
        {
            throw new BundleFormatException(BundleError.ManifestInvalid, error);
        }

        var signatures = header.Signatures.Where(s => s.KeyId != key.Public.Id).ToList();
        if (signatures.Count >= limits.MaxSignatures)
        {
            throw new BundleFormatException(BundleError.TooLarge, $"the bundle already has {signatures.Count} signatures");
        }

        signatures.Add(BundleSignature.Create(key, manifest!));
        BundleWriter.WriteHeader(output, header.ManifestBytes, signatures, header.EntryCount);
        input.Position = header.EntriesOffset;
        input.CopyTo(output);
        return manifest!;
    }
}
