using System.Security.Cryptography;
using System.Text;
using Appliance.Hosting.Configuration;
using Appliance.ServerTests.EndToEnd;
using Appliance.Updates.Apply;
using Appliance.Updates.Bundles;
using Appliance.Updates.Signing;
using Appliance.Updates.Trust;
using Appliance.Updates.Versioning;
using Microsoft.Extensions.DependencyInjection;

namespace Appliance.ServerTests.AdminConsole;

/// <summary>
/// An in-process appliance's updates root made importable (root metadata pinned, release <see cref="Running"/>
/// adopted, as `appliance install` leaves it) and bundles signed for it, so the console's upload passes the real
/// verification. Keys are made once per test run.
/// </summary>
internal static class ConsoleBundles
{
    public const string Running = "1.0.0";

    private static readonly SigningKey RootKey = SigningKey.Generate();
    private static readonly SigningKey Signer = SigningKey.Generate();

    public static void PrepareUpdatesRoot(ApplianceUnderTest appliance)
    {
        var paths = appliance.Services.GetRequiredService<AppliancePaths>();
        var updater = new Updater(new UpdatePaths(Path.Combine(paths.DataDir, "updates"), paths.ReleasesDir), new UpdaterOptions(),
            new SystemdRestarter(), new HttpReadyProbe(1, TimeProvider.System), TimeProvider.System);
        var root = RootMetadata.Create(1, [RootKey.Public], 1, [Signer.Public], 1).WithSignature(RootKey);
        var pinned = updater.ImportRoot(root.ToFileBytes(), install: true);
        Assert.True(pinned.IsAccepted, pinned.Reason);
        var seed = Path.Combine(paths.DataDir, "seed-appliance");
        File.WriteAllBytes(seed, Binary(Running));
        updater.AdoptInstalledRelease(ApplianceVersion.Parse(Running), seed);
        File.Delete(seed);
    }

    /// <summary>A release bundle for both architectures, valid from an hour ago for 30 days, signed by the pinned signer.</summary>
    public static byte[] Release(string version)
    {
        var payload = new Dictionary<string, byte[]>
        {
            [PayloadRole.ApplianceLinuxX64] = Binary(version),
            [PayloadRole.ApplianceLinuxArm64] = Binary(version),
        };
        var now = DateTimeOffset.UtcNow;
        var manifest = BundleManifest.Create(BundleKind.Release, ApplianceVersion.Parse(version), ApplianceVersion.Parse(Running), now.AddHours(-1), now.AddDays(30),
            payload.Select(p => new ManifestFileDocument(PayloadRole.NameOf[p.Key], p.Key, p.Value.Length, Convert.ToHexStringLower(SHA256.HashData(p.Value)))));
        using var output = new MemoryStream();
        BundleWriter.Write(output, manifest, [BundleSignature.Create(Signer, manifest)], f => new MemoryStream(payload[f.Role]));
        return output.ToArray();
    }

    private static byte[] Binary(string version) => Encoding.UTF8.GetBytes($"#!/bin/sh\necho appliance {version}\n");
}
