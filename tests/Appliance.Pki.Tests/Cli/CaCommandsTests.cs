using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Appliance.Pki.Authority;
using Appliance.Pki.Files;
using Appliance.Pki.Tests.Support;
using Appliance.Updates.Apply;
using Appliance.Updates.Versioning;

namespace Appliance.Pki.Tests.Cli;

[Collection(ConsoleTests.Name)]
public sealed class CaCommandsTests
{
    [Fact]
    public async Task Init_status_export_round_trip_through_the_cli()
    {
        using var temp = new TempFolder();
        var data = temp.Combine("data");
        var init = await ConsoleCapture.RunAsync("ca", "init", "--data-dir", data, "--dns-name", "appliance.test", "--ip-address", "127.0.0.1");
        Assert.True(init.Exit == 0, init.Error);
        Assert.Contains("sha256-raw:", init.Out, StringComparison.Ordinal);

        var status = await ConsoleCapture.RunAsync("ca", "status", "--data-dir", data);
        Assert.Equal(0, status.Exit);
        using var ca = LocalCa.Open(data, TimeProvider.System);
        using var leaf = ca.LoadLeaf(0.66)!;
        // One fingerprint format everywhere: openssl's `x509 -fingerprint -sha256` (AB:CD:..., upper case).
        Assert.Contains(string.Join(':', Convert.ToHexString(SHA256.HashData(ca.Root.RawData)).Chunk(2).Select(c => new string(c))), status.Out, StringComparison.Ordinal);
        Assert.Contains(string.Join(':', Convert.ToHexString(SHA256.HashData(ca.Intermediate.RawData)).Chunk(2).Select(c => new string(c))), status.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(SHA256.HashData(ca.Root.RawData)), status.Out, StringComparison.Ordinal);
        Assert.Contains(leaf.SerialNumber, status.Out, StringComparison.Ordinal);

        var pem = temp.Combine("root.pem");
        var der = temp.Combine("root.der");
        var pin = temp.Combine("pin.txt");
        Assert.Equal(0, (await ConsoleCapture.RunAsync("ca", "export", "--data-dir", data, "--out", pem)).Exit);
        Assert.Equal(0, (await ConsoleCapture.RunAsync("ca", "export", "--data-dir", data, "--out", der, "--format", "der")).Exit);
        Assert.Equal(0, (await ConsoleCapture.RunAsync("ca", "export", "--data-dir", data, "--out", pin, "--format", "pin")).Exit);

        using var fromPem = X509Certificate2.CreateFromPem(File.ReadAllText(pem));
        using var fromDer = X509CertificateLoader.LoadCertificateFromFile(der);
        Assert.Equal(ca.Root.RawData, fromPem.RawData);
        Assert.Equal(ca.Root.RawData, fromDer.RawData);
        Assert.Equal("sha256-raw:" + Convert.ToHexStringLower(SHA256.HashData(leaf.Leaf.RawData)), File.ReadAllText(pin).Trim());
    }

    [Fact]
    public async Task Init_with_an_offline_root_then_rotate_needs_the_media()
    {
        using var temp = new TempFolder();
        var data = temp.Combine("data");
        var usb = temp.Combine("usb");
        Assert.Equal(0, (await ConsoleCapture.RunAsync("ca", "init", "--data-dir", data, "--offline-root", usb, "--dns-name", "appliance.test")).Exit);
        Assert.False(File.Exists(new CaDirectory(data).RootKey));

        var without = await ConsoleCapture.RunAsync("ca", "rotate", "--data-dir", data);
        Assert.Equal(1, without.Exit);
        Assert.Contains("--offline-root", without.Error, StringComparison.Ordinal);

        string before;
        using (var ca = LocalCa.Open(data, TimeProvider.System))
        {
            before = ca.Intermediate.Thumbprint;
        }

        var rotated = await ConsoleCapture.RunAsync("ca", "rotate", "--data-dir", data, "--offline-root", usb);
        Assert.True(rotated.Exit == 0, rotated.Error);
        using var after = LocalCa.Open(data, TimeProvider.System);
        Assert.NotEqual(before, after.Intermediate.Thumbprint);
        using var leaf = after.LoadLeaf(0.66)!;
        using var chain = Chains.Build(after.Root, leaf.Leaf, leaf.Chain);
        Assert.True(chain.Valid, chain.Describe());
    }

    /// <summary>The CA guide's root replacement (docs/operator-guide-ca.md, section 6), with the media as a folder.</summary>
    [Fact]
    public async Task A_new_root_through_the_cli_is_exported_beside_the_old_one_for_the_overlap()
    {
        using var temp = new TempFolder();
        var data = temp.Combine("data");
        var usb = temp.Combine("usb");
        Assert.Equal(0, (await ConsoleCapture.RunAsync("ca", "init", "--data-dir", data, "--offline-root", usb, "--dns-name", "appliance.test")).Exit);
        string oldRoot;
        using (var before = LocalCa.Open(data, TimeProvider.System))
        {
            oldRoot = before.Root.Thumbprint;
        }

        var rotated = await ConsoleCapture.RunAsync("ca", "rotate", "--data-dir", data, "--new-root", "--overlap-days", "90", "--offline-root", usb);
        Assert.True(rotated.Exit == 0, rotated.Error);
        var pem = temp.Combine("appliance-roots.pem");
        var export = await ConsoleCapture.RunAsync("ca", "export", "--data-dir", data, "--out", pem);
        Assert.True(export.Exit == 0, export.Error);

        using var after = LocalCa.Open(data, TimeProvider.System);
        Assert.NotEqual(oldRoot, after.Root.Thumbprint);
        var exported = new X509Certificate2Collection();
        exported.ImportFromPemFile(pem);
        Assert.Contains(exported, c => c.Thumbprint == after.Root.Thumbprint);
        Assert.Contains(exported, c => c.Thumbprint == oldRoot);
    }

    [Fact]
    public async Task Revoke_through_the_cli_replaces_the_current_leaf()
    {
        using var temp = new TempFolder();
        var data = temp.Combine("data");
        Assert.Equal(0, (await ConsoleCapture.RunAsync("ca", "init", "--data-dir", data)).Exit);
        string serial;
        using (var ca = LocalCa.Open(data, TimeProvider.System))
        using (var leaf = ca.LoadLeaf(0.66)!)
        {
            serial = leaf.SerialNumber;
        }

        var revoked = await ConsoleCapture.RunAsync("ca", "revoke", serial, "--force", "--data-dir", data);
        Assert.True(revoked.Exit == 0, revoked.Error);
        using var reopened = LocalCa.Open(data, TimeProvider.System);
        using var replacement = reopened.LoadLeaf(0.66)!;
        Assert.NotEqual(serial, replacement.SerialNumber);
        Assert.Contains(serial, reopened.RevokedSerials());
    }

    [Fact]
    public async Task A_group_readable_key_exits_with_the_config_error_and_names_the_file()
    {
        using var temp = new TempFolder();
        var data = temp.Combine("data");
        Assert.Equal(0, (await ConsoleCapture.RunAsync("ca", "init", "--data-dir", data)).Exit);
        var key = new CaDirectory(data).IntermediateKey;
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var status = await ConsoleCapture.RunAsync("ca", "status", "--data-dir", data);
        Assert.Equal(78, status.Exit);
        Assert.Contains(key, status.Error, StringComparison.Ordinal);
        Assert.Contains("0640", status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_data_folder_comes_from_the_environment_when_no_option_is_given()
    {
        using var temp = new TempFolder();
        Assert.Equal(temp.Path, DataFolder.Resolve(null, temp.Path));
        Assert.Equal(Path.GetFullPath("elsewhere"), DataFolder.Resolve("elsewhere", temp.Path));
        Assert.Equal(Path.GetFullPath("data"), DataFolder.Resolve(null, null));
        var status = await ConsoleCapture.RunAsync("ca", "status", "--data-dir", temp.Path);
        Assert.Equal(1, status.Exit);
        Assert.Contains("ca init", status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_adds_the_update_content_trust_roots_after_the_appliance_root()
    {
        using var temp = new TempFolder();
        var data = temp.Combine("data");
        Assert.Equal(0, (await ConsoleCapture.RunAsync("ca", "init", "--data-dir", data)).Exit);
        using var extra = SelfSigned("CN=Corporate Root", ca: true, DateTimeOffset.UtcNow.AddYears(1));
        await File.WriteAllTextAsync(ApplyContent(data, "ca-trust.pem"), extra.ExportCertificatePem() + "\n");

        var pem = temp.Combine("roots.pem");
        var export = await ConsoleCapture.RunAsync("ca", "export", "--data-dir", data, "--out", pem);

        Assert.True(export.Exit == 0, export.Error);
        Assert.DoesNotContain("warning", export.Error, StringComparison.Ordinal);
        using var ca = LocalCa.Open(data, TimeProvider.System);
        Assert.Equal([ca.Root.Thumbprint, extra.Thumbprint], ExportedThumbprints(pem));
    }

    [Theory]
    [InlineData(true, -1)]
    [InlineData(false, 365)]
    public async Task Export_leaves_out_a_trust_file_with_an_expired_or_non_ca_certificate(bool ca, int daysLeft)
    {
        using var temp = new TempFolder();
        var data = temp.Combine("data");
        Assert.Equal(0, (await ConsoleCapture.RunAsync("ca", "init", "--data-dir", data)).Exit);
        using var good = SelfSigned("CN=Good Root", ca: true, DateTimeOffset.UtcNow.AddYears(1));
        using var bad = SelfSigned("CN=Bad", ca, DateTimeOffset.UtcNow.AddDays(daysLeft));
        await File.WriteAllTextAsync(ApplyContent(data, "ca-trust.pem"), good.ExportCertificatePem() + "\n" + bad.ExportCertificatePem() + "\n");

        var pem = temp.Combine("roots.pem");
        var export = await ConsoleCapture.RunAsync("ca", "export", "--data-dir", data, "--out", pem);

        // The appliance's own root is still exported; the whole refused file is left out, with a warning naming it.
        Assert.True(export.Exit == 0, export.Error);
        Assert.Contains("warning: update content ca-trust.pem", export.Error, StringComparison.Ordinal);
        Assert.Contains(ca ? "expired" : "not a CA certificate", export.Error, StringComparison.Ordinal);
        using var local = LocalCa.Open(data, TimeProvider.System);
        Assert.Equal([local.Root.Thumbprint], ExportedThumbprints(pem));
    }

    /// <summary>Writes <paramref name="file"/>'s path in applied content the way `update import` leaves it: contents/1.0.0 behind the content link.</summary>
    private static string ApplyContent(string dataDir, string file)
    {
        var paths = new UpdatePaths(Path.Combine(dataDir, "updates"));
        var version = ApplianceVersion.Parse("1.0.0");
        Directory.CreateDirectory(paths.ContentVersionDir(version));
        LinkSwitch.Point(paths.Content, UpdatePaths.ContentLinkTarget(version));
        return Path.Combine(paths.Content, file);
    }

    private static X509Certificate2 SelfSigned(string subject, bool ca, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        return request.CreateSelfSigned(notAfter.AddYears(-2), notAfter);
    }

    private static List<string> ExportedThumbprints(string pemFile)
    {
        var exported = new X509Certificate2Collection();
        exported.ImportFromPem(File.ReadAllText(pemFile));
        var thumbprints = exported.Select(c => c.Thumbprint).ToList();
        foreach (var certificate in exported)
        {
            certificate.Dispose();
        }

        return thumbprints;
    }

    [Fact]
    public async Task An_unknown_export_format_is_a_usage_error()
    {
        var result = await ConsoleCapture.RunAsync("ca", "export", "--format", "p12");
        Assert.Equal(2, result.Exit);
    }
}
