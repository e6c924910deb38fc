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

    private readonly DERPRegion? _embedded;
    private readonly int _embeddedId;
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

    /// <summary>The embedded region: one node, named "&lt;id&gt;a", dialled by host name unless addresses are given.</summary>
    public static DERPRegion BuildRegion(DerpOptions derp, string hostName, int derpPort, int stunPort, string? certName)
    {
        ArgumentNullException.ThrowIfNull(derp);
        var node = new DERPNode
        {
            Name = derp.RegionId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "a",
            RegionID = derp.RegionId,
            HostName = hostName,
            IPv4 = derp.Ipv4.Length > 0 ? derp.Ipv4 : null,
            IPv6 = derp.Ipv6.Length > 0 ? derp.Ipv6 : null,
            DERPPort = derpPort,
            STUNPort = stunPort,
            CertName = string.IsNullOrEmpty(certName) ? null : certName,
        };
        return new DERPRegion { RegionID = derp.RegionId, RegionCode = derp.RegionCode, RegionName = derp.RegionName, Nodes = [node] };
    }

    private static string HostNameFor(ApplianceOptions options) =>
        options.Derp.Hostname.Length > 0 ? options.Derp.Hostname : new Uri(options.Server.ServerUrl).Host;

    /// <summary>DERP always uses TLS, so the default is the HTTPS listener's port.</summary>
    private static int DerpPortFor(ApplianceOptions options) =>
        options.Derp.DerpPort != 0 ? options.Derp.DerpPort : ListenAddress.Parse(options.Server.HttpsListen).Port;

    /// <summary>STUN port as the map means it: 0 would mean 3478, so an ephemeral bind (tests) is advertised as 3478 too.</summary>
    private static int StunPortFor(DerpOptions derp) => ListenAddress.Parse(derp.StunListen).Port;
}
