using System.Text.Json;
using Appliance.Hosting.Content;
using Appliance.Protocol.Control;

namespace Appliance.Hosting.Derp;

/// <summary>
/// Reads a DERP map file: JSON with tailcfg field names, as `tailscale debug derp-map` prints it (both
/// <c>derp.extra_map_file</c> and an update bundle's <c>derp-map.json</c>). YAML is refused by name. Every error is an
/// <see cref="InvalidDataException"/> that starts with "LABEL 'PATH'" and, for a syntax or type error, ":LINE" (1-based),
/// so the operator can go straight to the line.
/// </summary>
public static class DerpMapFile
{
    public static IReadOnlyDictionary<int, DERPRegion> LoadRegions(string path, string label)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{label} '{path}': only JSON DERP maps are read (as `tailscale debug derp-map` prints them)");
        }

        var bytes = ContentFileText.ReadBytes(path, label);

        try
        {
            var map = JsonSerializer.Deserialize(bytes, ControlJsonContext.Default.DERPMap)
                ?? throw new InvalidDataException($"{label} '{path}' holds no DERP map (the JSON is null)");
            return map.Regions ?? new Dictionary<int, DERPRegion>();
        }
        catch (JsonException exception)
        {
            throw new InvalidDataException($"{label} '{path}'{ContentFileText.LineOf(exception)}: not a DERP map: {exception.Message}", exception);
        }
    }
}
