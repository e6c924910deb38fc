using System.Text.Json;
using Appliance.Hosting.Configuration;
using Appliance.Protocol.Control;
using Appliance.State.Coordinator;

namespace Appliance.Hosting.Derp;

/// <summary>
/// The DERP map every node receives: the embedded region (this appliance's relay and STUN) plus, optionally, extra
/// regions from a local JSON file (<c>derp.extra_map_file</c>, tailcfg field names). Nothing is fetched; with DERP
/// disabled and no file the map is empty. Built once at startup as an immutable value.
/// </summary>
public sealed class EmbeddedDerpMapProvider : IDerpMapProvider
{
    public EmbeddedDerpMapProvider(ApplianceOptions options, string? certName = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var regions = new Dictionary<int, DERPRegion>();
        var derp = options.Derp;
        if (derp.Enabled)
        {
            regions[derp.RegionId] = BuildRegion(derp, HostNameFor(options), DerpPortFor(options), StunPortFor(derp), certName);
        }

        if (derp.ExtraMapFile.Length > 0)
        {
            foreach (var (id, region) in LoadExtraRegions(derp.ExtraMapFile))
            {
                if (!regions.TryAdd(id, region))
                {
                    throw new InvalidDataException($"derp.extra_map_file '{derp.ExtraMapFile}': region {id} is the embedded region's ID; give it another ID or change derp.region_id");
                }
            }
        }

        var map = new DERPMap { Regions = regions, OmitDefaultRegions = true };
        var errors = DerpMapValidator.Validate(map);
        if (errors.Count > 0)
        {
            throw new InvalidDataException("invalid DERP map: " + string.Join("; ", errors));
        }

        Current = map;
    }

    public DERPMap Current { get; }

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

    private static IReadOnlyDictionary<int, DERPRegion> LoadExtraRegions(string path)
    {
        if (path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"derp.extra_map_file '{path}': only JSON DERP maps are read (as `tailscale debug derp-map` prints them)");
        }

        try
        {
            var map = JsonSerializer.Deserialize(File.ReadAllBytes(path), ControlJsonContext.Default.DERPMap)
                ?? throw new InvalidDataException($"derp.extra_map_file '{path}' holds no DERP map");
            return map.Regions ?? new Dictionary<int, DERPRegion>();
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"derp.extra_map_file '{path}' is not a DERP map: {exception.Message}", exception);
        }
        catch (IOException exception)
        {
            throw new InvalidDataException($"derp.extra_map_file '{path}' cannot be read: {exception.Message}", exception);
        }
    }
}
