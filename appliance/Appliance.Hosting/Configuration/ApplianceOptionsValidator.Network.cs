using System.Net.Sockets;

namespace Appliance.Hosting.Configuration;

/// <summary>The dns: and derp: checks.</summary>
public static partial class ApplianceOptionsValidator
{
    private static void ValidateDns(ApplianceOptions options, List<ConfigProblem> problems)
    {
        var dns = options.Dns;
        if (dns.MagicDns || dns.BaseDomain.Length > 0)
        {
            CheckDnsName("dns.base_domain", dns.BaseDomain, problems);
            if (Uri.TryCreate(options.Server.ServerUrl, UriKind.Absolute, out var url) && IsDnsName(dns.BaseDomain)
                && (string.Equals(url.Host, dns.BaseDomain, StringComparison.OrdinalIgnoreCase)
                    || url.Host.EndsWith("." + dns.BaseDomain, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add(new("dns.base_domain", $"'{dns.BaseDomain}' contains server_url's host '{url.Host}'; clients would resolve the server through MagicDNS itself. Pick a separate domain, e.g. tailnet.internal"));
            }
        }

        for (var i = 0; i < dns.Nameservers.Count; i++)
        {
            CheckIp($"dns.nameservers[{i}]", dns.Nameservers[i], null, problems);
        }

        foreach (var (domain, servers) in dns.SplitDns)
        {
            CheckDnsName($"dns.split_dns.{domain}", domain, problems);
            if (servers.Count == 0)
            {
                problems.Add(new($"dns.split_dns.{domain}", "has no resolvers; list at least one IP address"));
            }

            for (var i = 0; i < servers.Count; i++)
            {
                CheckIp($"dns.split_dns.{domain}[{i}]", servers[i], null, problems);
            }
        }

        for (var i = 0; i < dns.SearchDomains.Count; i++)
        {
            CheckDnsName($"dns.search_domains[{i}]", dns.SearchDomains[i], problems);
        }

        for (var i = 0; i < dns.ExtraRecords.Count; i++)
        {
            var record = dns.ExtraRecords[i];
            CheckDnsName($"dns.extra_records[{i}].name", record.Name, problems);
            switch (record.Type.ToUpperInvariant())
            {
                case "A":
                    CheckIp($"dns.extra_records[{i}].value", record.Value, AddressFamily.InterNetwork, problems);
                    break;
                case "AAAA":
                    CheckIp($"dns.extra_records[{i}].value", record.Value, AddressFamily.InterNetworkV6, problems);
                    break;
                default:
                    problems.Add(new($"dns.extra_records[{i}].type", $"'{record.Type}' is not supported; write A or AAAA"));
                    break;
            }
        }
    }

    private static void ValidateDerp(DerpOptions derp, List<ConfigProblem> problems)
    {
        // Tailscale reserves region IDs 900-999 for custom regions (tailcfg DERPRegion doc).
        CheckRange("derp.region_id", derp.RegionId, 900, 999, problems);
        if (derp.RegionCode.Length == 0 || !derp.RegionCode.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            problems.Add(new("derp.region_code", $"'{derp.RegionCode}' must be non-empty lowercase letters, digits and hyphens, e.g. appliance"));
        }

        if (string.IsNullOrWhiteSpace(derp.RegionName))
        {
            problems.Add(new("derp.region_name", "must not be empty; it is shown by `tailscale netcheck`"));
        }

        if (derp.Hostname.Length > 0)
        {
            CheckDnsName("derp.hostname", derp.Hostname, problems);
        }

        if (derp.Ipv4.Length > 0)
        {
            CheckIp("derp.ipv4", derp.Ipv4, AddressFamily.InterNetwork, problems);
        }

        if (derp.Ipv6.Length > 0)
        {
            CheckIp("derp.ipv6", derp.Ipv6, AddressFamily.InterNetworkV6, problems);
        }

        CheckRange("derp.derp_port", derp.DerpPort, 0, 65535, problems);
        if (derp.Enabled)
        {
            CheckListen("derp.stun_listen", derp.StunListen, problems);
        }

        if (derp.ExtraMapFile.Length > 0 && !File.Exists(derp.ExtraMapFile))
        {
            problems.Add(new("derp.extra_map_file", $"'{derp.ExtraMapFile}' does not exist; create it or leave the key empty"));
        }

        CheckMesh(derp, problems);
        CheckRange("derp.max_connections", derp.MaxConnections, 1, 1_000_000, problems);
        CheckRange("derp.max_pending_handshakes", derp.MaxPendingHandshakes, 1, 1_000_000, problems);
        CheckRange("derp.send_queue_packets", derp.SendQueuePackets, 1, 4096, problems);
    }

    /// <summary>derp.mesh_*: peers need the key file; each peer is an absolute http(s) URL with a host.</summary>
    private static void CheckMesh(DerpOptions derp, List<ConfigProblem> problems)
    {
        if (derp.MeshPeers.Count > 0 && derp.MeshKeyFile.Length == 0)
        {
            problems.Add(new("derp.mesh_key_file", "derp.mesh_peers is set, so the mesh needs its key: set derp.mesh_key_file to a file path (created on first start; copy it to every instance)"));
        }

        if (derp.MeshPeers.Count > 25)
        {
            problems.Add(new("derp.mesh_peers", $"{derp.MeshPeers.Count} peers; a region lists at most 26 instances (this one and 25 peers)"));
        }

        for (var i = 0; i < derp.MeshPeers.Count; i++)
        {
            if (!Uri.TryCreate(derp.MeshPeers[i], UriKind.Absolute, out var peer) || (peer.Scheme != Uri.UriSchemeHttps && peer.Scheme != Uri.UriSchemeHttp) || peer.Host.Length == 0)
            {
                problems.Add(new($"derp.mesh_peers[{i}]", $"'{derp.MeshPeers[i]}' is not a DERP URL; write https://HOST:PORT (the other instance's HTTPS listener)"));
            }
        }

        if (derp.MeshCaFile.Length > 0 && !File.Exists(derp.MeshCaFile))
        {
            problems.Add(new("derp.mesh_ca_file", $"'{derp.MeshCaFile}' does not exist; create it or leave the key empty"));
        }
    }
}
