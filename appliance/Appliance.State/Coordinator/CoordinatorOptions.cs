using System.Net;
using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>
/// Settings of the control coordinator. Hosting binds them from configuration (its Control/Dns sections) and
/// passes them to <c>AddControl</c>. Every default suits a real deployment; tests shorten the windows.
/// </summary>
public sealed class CoordinatorOptions
{
    /// <summary>Public URL of the control plane, used for interactive AuthURLs (<c>{ServerUrl}/register/{id}</c>). Default http://127.0.0.1:8080.</summary>
    public Uri ServerUrl { get; set; } = new("http://127.0.0.1:8080");

    /// <summary>IPv4 pool. Default 100.64.0.0/10 (the range the client's special handling assumes).</summary>
    public IPNetwork PrefixV4 { get; set; } = IPNetwork.Parse("100.64.0.0/10");

    /// <summary>IPv6 pool. Default fd7a:115c:a1e0::/48.</summary>
    public IPNetwork PrefixV6 { get; set; } = IPNetwork.Parse("fd7a:115c:a1e0::/48");

    /// <summary>How new nodes' addresses are picked from the prefixes. Default sequential (lowest free first).</summary>
    public AddressAllocation Allocation { get; set; } = AddressAllocation.Sequential;

    /// <summary>Random source for <see cref="AddressAllocation.Random"/>; null = <see cref="Random.Shared"/>. Tests seed it.</summary>
    public Random? AllocationRandom { get; set; }

    /// <summary>
    /// The longest a new node's registration is held back from the map streams, waiting to go out in one delta with
    /// the node's own stream connect (its endpoints and online state) instead of one fan-out each (issue 16). Any other
    /// command's fan-out carries it sooner. Every other change is sent to an idle map stream at once and coalesced
    /// only while a stream is busy sending (<see cref="MapStreamHub"/>). 0 to 250 ms; default 0 (no holding back).
    /// </summary>
    public TimeSpan CoalesceWindow { get; set; } = TimeSpan.Zero;

    /// <summary>Keep-alive period on idle map streams. Default 55 s; must stay well under the client's 120 s watchdog.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(55);

    /// <summary>How often the heartbeat checks keep-alives and ephemeral nodes. Default 5 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An ephemeral node offline this long is deleted. Default 30 min (headscale's default).</summary>
    public TimeSpan EphemeralInactivityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Node key lifetime for user-owned nodes; null = never expire. Default 180 days.</summary>
    public TimeSpan? NodeKeyExpiry { get; set; } = TimeSpan.FromDays(180);

    /// <summary>How long an interactive registration waits for operator approval. Default 15 min (headscale's auth cache).</summary>
    public TimeSpan InteractiveRegistrationLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long one Followup long poll is held before the client is given a fresh AuthURL. Default 2 min.</summary>
    public TimeSpan FollowupWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How many published changes (snapshot versions) a busy map stream may fall behind and still catch up with one
    /// merged delta; further behind, it is resynced with a full map. Default 256.
    /// </summary>
    public int SessionQueueCapacity { get; set; } = 256;

    /// <summary>MagicDNS and search-domain settings.</summary>
    public DnsSettings Dns { get; set; } = new();

    /// <summary>Tailnet display name sent as MapResponse.Domain; default = the MagicDNS base domain.</summary>
    public string? TailnetName { get; set; }

    /// <summary>Collects every problem so startup can report them all at once.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (CoalesceWindow < TimeSpan.Zero || CoalesceWindow > TimeSpan.FromMilliseconds(250))
        {
            errors.Add("Control:CoalesceWindow must be between 0 and 250 ms.");
        }

        if (KeepAliveInterval <= TimeSpan.Zero || KeepAliveInterval > TimeSpan.FromSeconds(100))
        {
            errors.Add("Control:KeepAliveInterval must be between 1 s and 100 s (clients give up after 120 s).");
        }

        if (PrefixV4.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || PrefixV4.PrefixLength > 30)
        {
            errors.Add("Control:PrefixV4 must be an IPv4 prefix of /30 or larger, e.g. 100.64.0.0/10.");
        }

        if (PrefixV6.BaseAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || PrefixV6.PrefixLength > 120)
        {
            errors.Add("Control:PrefixV6 must be an IPv6 prefix of /120 or larger, e.g. fd7a:115c:a1e0::/48.");
        }

        if (Dns.MagicDns && !DnsLabel.IsValidDomain(Dns.BaseDomain))
        {
            errors.Add("Dns:BaseDomain must be a valid domain name when MagicDNS is on, e.g. tailnet.internal.");
        }

        if (Dns.MagicDns && string.Equals(Dns.BaseDomain.TrimEnd('.'), ServerUrl.Host, StringComparison.OrdinalIgnoreCase)
            || ServerUrl.Host.EndsWith("." + Dns.BaseDomain.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("Dns:BaseDomain must not cover the server's host name, or MagicDNS hijacks it (clients would resolve the server inside the tailnet).");
        }

        return errors;
    }
}

/// <summary>DNS settings sent in every full map (docs/wire/control.md "DNSConfig and MagicDNS").</summary>
public sealed class DnsSettings
{
    public bool MagicDns { get; set; } = true;

    public string BaseDomain { get; set; } = "tailnet.internal";

    /// <summary>Global resolvers (IP, IP:port or DoH URL); their presence overrides local DNS.</summary>
    public IReadOnlyList<string> Nameservers { get; set; } = [];

    /// <summary>Split DNS: domain → resolvers.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> SplitDns { get; set; } = new Dictionary<string, IReadOnlyList<string>>();

    public IReadOnlyList<string> SearchDomains { get; set; } = [];

    public IReadOnlyList<DNSRecord> ExtraRecords { get; set; } = [];
}
