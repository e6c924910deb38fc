using System.Security.Cryptography;
using System.Text;
using Appliance.Updates.Bundles;
using Appliance.Updates.Signing;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Tests.TestSupport;

/// <summary>Builds bundles in memory, well-formed or deliberately not.</summary>
public static class BundleFactory
{
    public static readonly DateTimeOffset Created = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset Expires = new(2027, 2, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A clock inside every default bundle's validity.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    public static byte[] BinaryFor(string version) => Encoding.UTF8.GetBytes($"#!/bin/sh\necho appliance {version}\n");

    public static BundleManifest Manifest(BundleKind kind, string version, IReadOnlyDictionary<string, byte[]> payload,
        string minVersion = "1.0.0", DateTimeOffset? created = null, DateTimeOffset? expires = null) =>
        BundleManifest.Create(kind, ApplianceVersion.Parse(version), ApplianceVersion.Parse(minVersion), created ?? Created, expires ?? Expires,
            PayloadRole.NameOf.Where(r => payload.ContainsKey(r.Key))
                .Select(r => new ManifestFileDocument(r.Value, r.Key, payload[r.Key].Length, Convert.ToHexStringLower(SHA256.HashData(payload[r.Key]))))
                .ToList());

    public static byte[] Write(BundleManifest manifest, IReadOnlyDictionary<string, byte[]> payload, params SigningKey[] signers) =>
        Write(manifest, payload, signers.Select(s => BundleSignature.Create(s, manifest)).ToList());

    public static byte[] Write(BundleManifest manifest, IReadOnlyDictionary<string, byte[]> payload, IReadOnlyList<BundleSignature> signatures)
    {
        using var output = new MemoryStream();
        BundleWriter.Write(output, manifest, signatures, f => new MemoryStream(payload[f.Role]));
        return output.ToArray();
    }

    public static Dictionary<string, byte[]> ReleasePayload(string version) => new() { [PayloadRole.ApplianceLinuxX64] = BinaryFor(version) };

    public static byte[] Release(string version, string minVersion = "1.0.0", DateTimeOffset? expires = null, params SigningKey[] signers)
    {
        var payload = ReleasePayload(version);
        var manifest = Manifest(BundleKind.Release, version, payload, minVersion, expires: expires);
        return Write(manifest, payload, signers.Length == 0 ? [TestKeys.Signer1, TestKeys.Signer2] : signers);
    }

    public static Dictionary<string, byte[]> ContentPayload(string marker) => new()
    {
        [PayloadRole.Policy] = Encoding.UTF8.GetBytes("{\"acls\":[]} // " + marker),
        [PayloadRole.DerpMap] = Encoding.UTF8.GetBytes("{\"Regions\":{}}"),
    };

    public static byte[] Content(string version, string marker = "x")
    {
        var payload = ContentPayload(marker);
        return Write(Manifest(BundleKind.Content, version, payload), payload, TestKeys.Signer1, TestKeys.Signer2);
    }

    /// <summary>
    /// A bundle with a validly signed manifest for a one-file content bundle but a hand-written entry table:
    /// for names, types and sizes the writer would never produce.
    /// </summary>
    public static byte[] WithRawEntries(Action<Stream> writeEntries, int entryCount, byte[]? policy = null)
    {
        policy ??= Encoding.UTF8.GetBytes("{}");
        var payload = new Dictionary<string, byte[]> { [PayloadRole.Policy] = policy };
        var manifest = Manifest(BundleKind.Content, "2.0.0", payload);
        using var output = new MemoryStream();
        BundleWriter.WriteHeader(output, manifest.Bytes,
            [BundleSignature.Create(TestKeys.Signer1, manifest), BundleSignature.Create(TestKeys.Signer2, manifest)], entryCount);
        writeEntries(output);
        return output.ToArray();
    }
}
