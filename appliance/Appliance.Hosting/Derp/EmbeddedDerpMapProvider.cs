using System.Net;
using System.Net.Sockets;
using Appliance.Hosting.Configuration;
using Appliance.Protocol.Control;
using Appliance.State.Coordinator;

namespace Appliance.Hosting.Derp;

/// <summary>
/// The DERP map every node receives: the embedded region (this appliance's relay and STUN) plus, optionally, extra
/// regions from a local JSON file (<c>derp.extra_map_file</c>, tailcfg field names) and from the applied update
/// content (<c>&lt;data&gt;/updates/content/derp-map.json</c>). Nothing is fetched; with DERP disabled and no file the
/// map is empty. <see cref="Current"/> is an immutable snapshot replaced whole by <see cref="TryReload"/>: a file
/// that does not load or validate leaves the previous map in place.
/// </summary>
public sealed class EmbeddedDerpMapProvider : IDerpMapProvider
{
    public const string ExtraMapLabel = "derp.extra_map_file";
    public const string ContentMapLabel = "update content derp-map.json";

    private readonly ApplianceOptions _options;
    private readonly string? _certName;
    private readonly int _embeddedId;
    private DERPRegion? _embedded;
    private readonly string _extraMapFile;
    private readonly string? _contentMapFile;
    private DERPMap _current;

    /// <summary>
    /// Builds the first map. A broken <c>derp.extra_map_file</c> fails start-up (the operator's own config); the
    /// update content's map is not read here: <see cref="TryReload"/> adds it, so a broken one is refused and logged
    /// rather than stopping the server.
    /// </summary>
    public EmbeddedDerpMapProvider(ApplianceOptions options, string? certName = null, string? contentMapFile = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var derp = options.Derp;
        _options = options;
        _certName = certName;
        _embeddedId = derp.RegionId;
        _embedded = derp.Enabled ? BuildRegion(derp, HostNameFor(options), DerpPortFor(options), StunPortFor(derp), certName) : null;
        _extraMapFile = derp.ExtraMapFile;
        _contentMapFile = contentMapFile;
        _current = Build(includeContent: false);
    }

    public DERPMap Current => Volatile.Read(ref _current);

    /// <summary>
    /// Re-reads <c>derp.extra_map_file</c> and the content map and swaps the map in whole. On any error the previous
    /// map stays and the error (file and line) is returned.
    /// </summary>
    public bool TryReload(out string? error)
    {
        try
        {
            Volatile.Write(ref _current, Build(includeContent: true));
            error = null;
            return true;
        }
        catch (InvalidDataException exception)
        {
            error = exception.Message;
            return false;
        }
    }

    /// <summary>
    /// Once the listeners are bound: where the configuration asked for an ephemeral port (port 0, as tests and
    /// trial runs do), the embedded region advertises the port actually bound, since 0 in the map would send clients
    /// to 443 (DERP) or 3478 (STUN). Configured ports are left as they are. Swaps the region into the current map.
    /// </summary>
    public void AdvertiseBoundPorts(int? httpsPort, int? stunPort)
    {
        if (_embedded is null)
        {
            return;
        }

        var derpPort = DerpPortFor(_options) == 0 && httpsPort is > 0 ? httpsPort.Value : DerpPortFor(_options);
        var stun = StunPortFor(_options.Derp) == 0 && stunPort is > 0 ? stunPort.Value : StunPortFor(_options.Derp);
        var region = BuildRegion(_options.Derp, HostNameFor(_options), derpPort, stun, _certName);
        _embedded = region;
        var current = Current;
        var regions = new Dictionary<int, DERPRegion>(current.Regions ?? new Dictionary<int, DERPRegion>()) { [_embeddedId] = region };
        Volatile.Write(ref _current, current with { Regions = regions });
    }

    private DERPMap Build(bool includeContent)
    {
        var regions = new Dictionary<int, DERPRegion>();
        if (_embedded is not null)
        {
            regions[_embeddedId] = _embedded;
        }

        if (_extraMapFile.Length > 0)
        {
            Merge(regions, DerpMapFile.LoadRegions(_extraMapFile, ExtraMapLabel), ExtraMapLabel, _extraMapFile);
        }

        if (includeContent && _contentMapFile is not null && File.Exists(_contentMapFile))
        {
            Merge(regions, DerpMapFile.LoadRegions(_contentMapFile, ContentMapLabel), ContentMapLabel, _contentMapFile);
        }

        var map = new DERPMap { Regions = regions, OmitDefaultRegions = true };
        var errors = DerpMapValidator.Validate(map);
        if (errors.Count > 0)
        {
            throw new InvalidDataException("invalid DERP map: " + string.Join("; ", errors));
        }

        return map;
    }

    private void Merge(Dictionary<int, DERPRegion> regions, IReadOnlyDictionary<int, DERPRegion> extra, string label, string path)
    {
        foreach (var (id, region) in extra)
        {
            if (!regions.TryAdd(id, region))
            {
                throw new InvalidDataException(id == _embeddedId && _embedded is not null
                    ? $"{label} '{path}': region {id} is the embedded region's ID; give it another ID or change derp.region_id"
                    : $"{label} '{path}': region {id} is already defined by {ExtraMapLabel}; a region ID may appear in one file only");
            }
        }
    }

    /// <summary>
    /// The embedded region: one node, named "&lt;id&gt;a". Addresses come from <c>derp.ipv4</c>/<c>derp.ipv6</c>; when the
    /// host name is itself an IP literal it fills the matching field too, so clients dial it without a DNS lookup (the
    /// shape headscale and derper serve real clients, shared/conformance/real-client/http2).
    /// </summary>
    public static DERPRegion BuildRegion(DerpOptions derp, string hostName, int derpPort, int stunPort, string? certName)
    {
        ArgumentNullException.ThrowIfNull(derp);
        var node = new DERPNode
        {
            Name = derp.RegionId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "a",
            RegionID = derp.RegionId,
            HostName = hostName,
            IPv4 = derp.Ipv4.Length > 0 ? derp.Ipv4 : LiteralOf(hostName, AddressFamily.InterNetwork),
            IPv6 = derp.Ipv6.Length > 0 ? derp.Ipv6 : LiteralOf(hostName, AddressFamily.InterNetworkV6),
            DERPPort = derpPort,
            STUNPort = stunPort,
            CertName = string.IsNullOrEmpty(certName) ? null : certName,
        };
        return new DERPRegion { RegionID = derp.RegionId, RegionCode = derp.RegionCode, RegionName = derp.RegionName, Nodes = [node, .. MeshPeerNodes(derp, stunPort)] };
    }

    /// <summary>
    /// The other instances of the DERP mesh (<c>derp.mesh_peers</c>), after this one: nodes of the same region, named
    /// "&lt;id&gt;b", "&lt;id&gt;c", …, so a client homed on any of them reaches the others through the mesh. Their STUN port is
    /// taken to be this instance's (instances of one mesh are configured alike); their certificates are their own, so
    /// no CertName pin is copied.
    /// </summary>
    private static IEnumerable<DERPNode> MeshPeerNodes(DerpOptions derp, int stunPort)
    {
        var index = 1;
        foreach (var text in derp.MeshPeers)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var peer) || peer.Host.Length == 0)
            {
                continue;
            }

            var host = peer.Host.Trim('[', ']');
            yield return new DERPNode
            {
                Name = derp.RegionId.ToString(System.Globalization.CultureInfo.InvariantCulture) + (char)('a' + Math.Min(index++, 25)),
                RegionID = derp.RegionId,
                HostName = host,
                IPv4 = LiteralOf(host, AddressFamily.InterNetwork),
                IPv6 = LiteralOf(host, AddressFamily.InterNetworkV6),
                DERPPort = peer.Port,
                STUNPort = stunPort,
            };
        }
    }

    private static string? LiteralOf(string hostName, AddressFamily family) =>
        IPAddress.TryParse(hostName.Trim('[', ']'), out var address) && address.AddressFamily == family ? address.ToString() : null;

    private static string HostNameFor(ApplianceOptions options) =>
        options.Derp.Hostname.Length > 0 ? options.Derp.Hostname : new Uri(options.Server.ServerUrl).Host;

    /// <summary>DERP always uses TLS, so the default is the HTTPS listener's port.</summary>
    private static int DerpPortFor(ApplianceOptions options) =>
        options.Derp.DerpPort != 0 ? options.Derp.DerpPort : ListenAddress.Parse(options.Server.HttpsListen).Port;

    /// <summary>STUN port as the map means it: 0 would mean 3478, so an ephemeral bind (tests) is advertised as 3478 too.</summary>
    private static int StunPortFor(DerpOptions derp) => ListenAddress.Parse(derp.StunListen).Port;
}
