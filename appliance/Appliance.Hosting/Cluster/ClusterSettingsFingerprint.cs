using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Appliance.Hosting.Configuration;

namespace Appliance.Hosting.Cluster;

/// <summary>
/// What must agree between the appliances on one database (docs/ops/ha.md, "Settings that must agree"), as a
/// key → fingerprint map (the first 16 hex digits of the SHA-256 of the value's text; a file's content for a file
/// setting). Per-instance settings (listen addresses, data folder, this instance's DERP host name and address,
/// mesh peers, TLS) are left out: they differ by design.
/// </summary>
public static class ClusterSettingsFingerprint
{
    /// <summary>Keys whose disagreement refuses a start: clients would break (a Noise key they do not trust, addresses outside the other instances' prefixes).</summary>
    public static readonly IReadOnlySet<string> Fatal = new HashSet<string>(StringComparer.Ordinal) { "noise.public_key", "prefixes.v4", "prefixes.v6" };

    /// <summary>The fingerprints of <paramref name="options"/> and this instance's Noise public key (its text form).</summary>
    public static IReadOnlyDictionary<string, string> Compute(ApplianceOptions options, string noisePublicKey)
    {
        ArgumentNullException.ThrowIfNull(options);
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["server.server_url"] = options.Server.ServerUrl.TrimEnd('/'),
            ["noise.public_key"] = noisePublicKey,
            ["prefixes.v4"] = options.Prefixes.V4,
            ["prefixes.v6"] = options.Prefixes.V6,
            ["prefixes.allocation"] = options.Prefixes.Allocation.ToString(),
            ["dns.magic_dns"] = options.Dns.MagicDns.ToString(),
            ["dns.base_domain"] = options.Dns.BaseDomain,
            ["dns.nameservers"] = string.Join(',', options.Dns.Nameservers),
            ["dns.search_domains"] = string.Join(',', options.Dns.SearchDomains),
            ["dns.split_dns"] = string.Join(';', options.Dns.SplitDns.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + string.Join(',', p.Value))),
            ["dns.extra_records"] = string.Join(';', options.Dns.ExtraRecords.Select(r => $"{r.Name} {r.Type} {r.Value}")),
            ["derp.enabled"] = options.Derp.Enabled.ToString(),
            ["derp.region_id"] = options.Derp.RegionId.ToString(CultureInfo.InvariantCulture),
            ["derp.region_code"] = options.Derp.RegionCode,
            ["derp.verify_clients"] = options.Derp.VerifyClients.ToString(),
            ["derp.extra_map_file"] = FileContent(options.Derp.ExtraMapFile),
            ["nodes.key_expiry"] = options.Nodes.KeyExpiry.ToString("c", CultureInfo.InvariantCulture),
            ["nodes.ephemeral_inactivity_timeout"] = options.Nodes.EphemeralInactivityTimeout.ToString("c", CultureInfo.InvariantCulture),
            ["policy.file"] = options.Policy.File.Length == 0 ? "database" : FileContent(options.Policy.File),
        };
        return values.ToDictionary(p => p.Key, p => Fingerprint(p.Value), StringComparer.Ordinal);
    }

    private static string Fingerprint(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)))[..16];

    /// <summary>A file setting agrees when the files hold the same bytes (the paths may differ); an unreadable file counts by its path.</summary>
    private static string FileContent(string path)
    {
        if (path.Length == 0)
        {
            return "";
        }

        try
        {
            return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unreadable:" + path;
        }
    }
}
