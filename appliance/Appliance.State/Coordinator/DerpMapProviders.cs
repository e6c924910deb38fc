using System.Text.Json;
using Appliance.Protocol.Control;

namespace Appliance.State.Coordinator;

/// <summary>A fixed DERP map from configuration or a local file (never fetched). The derp helper supplies its own provider for the embedded region.</summary>
public sealed class StaticDerpMapProvider : IDerpMapProvider
{
    public StaticDerpMapProvider(DERPMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var errors = DerpMapValidator.Validate(map);
        if (errors.Count > 0)
        {
            throw new ArgumentException("invalid DERP map: " + string.Join("; ", errors), nameof(map));
        }

        Current = map;
    }

    public DERPMap Current { get; }

    /// <summary>Reads a DERPMap JSON file (tailcfg field names, as <c>tailscale debug derp-map</c> prints it).</summary>
    public static StaticDerpMapProvider FromFile(string path)
    {
        var map = JsonSerializer.Deserialize(File.ReadAllBytes(path), ControlJsonContext.Default.DERPMap)
            ?? throw new InvalidDataException($"'{path}' holds no DERP map");
        return new StaticDerpMapProvider(map);
    }

    /// <summary>An empty map: no relays. Nodes can still talk directly; used when no DERP is configured.</summary>
    public static StaticDerpMapProvider Empty { get; } = new(new DERPMap { Regions = new Dictionary<int, DERPRegion>() });
}

/// <summary>Rules every DERP map must keep (docs/wire/derp.md "DERPMap rules"; tailscale tailcfg/derpmap.go).</summary>
public static class DerpMapValidator
{
    public static IReadOnlyList<string> Validate(DERPMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        var errors = new List<string>();
        foreach (var (id, region) in map.Regions ?? new Dictionary<int, DERPRegion>())
        {
            if (region is null)
            {
                errors.Add($"region {id} is null");
                continue;
            }

            if (region.RegionID != id || id <= 0)
            {
                errors.Add($"region key {id} must equal its positive RegionID ({region.RegionID})");
            }

            if (region.Nodes.Any(n => n is null || n.RegionID != id || string.IsNullOrEmpty(n.Name)))
            {
                errors.Add($"every node of region {id} needs a Name and RegionID {id}");
            }
        }

        return errors;
    }
}
