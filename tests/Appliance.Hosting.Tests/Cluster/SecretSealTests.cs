using Appliance.Hosting.Cluster;
using Appliance.Hosting.Configuration;
using Appliance.Protocol.Keys;

namespace Appliance.Hosting.Tests.Cluster;

/// <summary>
/// The sealing of the shared Noise key (decision 0098): it opens only with the same cluster key, name and public
/// half; any changed byte, a truncated or foreign text, or random input is refused without an exception; the
/// cluster key file is created 0600 and refused when corrupt.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SecretSealTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cluster-key-").FullName;

    [Fact]
    public void A_sealed_secret_opens_with_its_key_name_and_public_half_only()
    {
        var key = ClusterKey.Generate();
        var noise = MachinePrivate.Generate();
        var publicKey = noise.Public.ToString();
        var sealedText = SecretSeal.Seal(key, "noise", publicKey, noise.ToSecretText());

        Assert.DoesNotContain(noise.ToSecretText()[8..], sealedText, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(sealedText, SecretSeal.Seal(key, "noise", publicKey, noise.ToSecretText())); // fresh salt and nonce
        Assert.True(SecretSeal.TryOpen(key, "noise", publicKey, sealedText, out var opened));
        Assert.Equal(noise.ToSecretText(), opened);

        Assert.False(SecretSeal.TryOpen(ClusterKey.Generate(), "noise", publicKey, sealedText, out _), "another cluster key");
        Assert.False(SecretSeal.TryOpen(key, "derp", publicKey, sealedText, out _), "another name");
        Assert.False(SecretSeal.TryOpen(key, "noise", MachinePrivate.Generate().Public.ToString(), sealedText, out _), "another public half");
    }

    [Fact]
    public void Every_changed_byte_truncation_and_random_text_is_refused_without_throwing()
    {
        var key = ClusterKey.Generate();
        var sealedText = SecretSeal.Seal(key, "noise", "mkey:x", "privkey:" + new string('a', 64));
        var raw = Convert.FromBase64String(sealedText[3..]);
        for (var i = 0; i < raw.Length; i++)
        {
            var changed = (byte[])raw.Clone();
            changed[i] ^= 0x01;
            Assert.False(SecretSeal.TryOpen(key, "noise", "mkey:x", "v1." + Convert.ToBase64String(changed), out _), $"byte {i} changed");
        }

        for (var length = 0; length < raw.Length; length++)
        {
            Assert.False(SecretSeal.TryOpen(key, "noise", "mkey:x", "v1." + Convert.ToBase64String(raw[..length]), out _), $"truncated to {length}");
        }

        var random = new Random(17);
        foreach (var text in new[] { "", "v1.", "v2." + sealedText[3..], "v1.!!!!", sealedText[3..] })
        {
            Assert.False(SecretSeal.TryOpen(key, "noise", "mkey:x", text, out _), text);
        }

        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            var text = random.Next(2) == 0 ? "v1." + Convert.ToBase64String(bytes) : "v1." + System.Text.Encoding.Latin1.GetString(bytes);
            Assert.False(SecretSeal.TryOpen(key, "noise", "mkey:x", text, out _));
        }
    }

    [Fact]
    public void The_cluster_key_file_is_created_0600_loaded_again_and_refused_when_corrupt()
    {
        var path = Path.Combine(_folder, "cluster.key");
        var created = ClusterKeyFile.LoadOrCreate(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(created.Hex, ClusterKeyFile.LoadOrCreate(path).Hex);
        Assert.Equal(64, created.Hex.Length);

        var corrupt = Path.Combine(_folder, "corrupt.key");
        File.WriteAllText(corrupt, "not hex\n");
        File.SetUnixFileMode(corrupt, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var error = Assert.Throws<PrivateKeyFileException>(() => ClusterKeyFile.LoadOrCreate(corrupt));
        Assert.Contains("cluster key", error.Message, StringComparison.Ordinal);
        Assert.Equal("not hex\n", File.ReadAllText(corrupt));
    }

    [Fact]
    public void The_fingerprint_changes_with_each_setting_that_must_agree_and_not_with_per_instance_ones()
    {
        var noise = MachinePrivate.Generate().Public.ToString();
        var baseline = ClusterSettingsFingerprint.Compute(new ApplianceOptions(), noise);
        Assert.Contains("prefixes.v4", baseline.Keys);
        Assert.True(ClusterSettingsFingerprint.Fatal.IsSubsetOf(baseline.Keys));
        Assert.All(baseline.Values, v => Assert.Matches("^[0-9a-f]{16}$", v));

        var changes = new (string Key, Action<ApplianceOptions> Change)[]
        {
            ("server.server_url", o => o.Server.ServerUrl = "https://control.example"),
            ("prefixes.v4", o => o.Prefixes.V4 = "100.100.0.0/16"),
            ("prefixes.v6", o => o.Prefixes.V6 = "fd7a:115c:a1e0:1::/64"),
            ("dns.base_domain", o => o.Dns.BaseDomain = "corp.internal"),
            ("dns.magic_dns", o => o.Dns.MagicDns = false),
            ("derp.region_id", o => o.Derp.RegionId = 901),
        };
        foreach (var (key, change) in changes)
        {
            var options = new ApplianceOptions();
            change(options);
            var other = ClusterSettingsFingerprint.Compute(options, noise);
            Assert.Equal([key], baseline.Keys.Where(k => baseline[k] != other[k]));
        }

        var perInstance = new ApplianceOptions();
        perInstance.Server.Listen = "127.0.0.1:9999";
        perInstance.Server.DataDir = "/elsewhere";
        perInstance.Derp.Hostname = "b.example";
        perInstance.Derp.MeshPeers.Add("https://a.example");
        Assert.Equal(baseline, ClusterSettingsFingerprint.Compute(perInstance, noise));
        Assert.NotEqual(baseline["noise.public_key"], ClusterSettingsFingerprint.Compute(new ApplianceOptions(), MachinePrivate.Generate().Public.ToString())["noise.public_key"]);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
