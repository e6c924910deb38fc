using System.Net;
using System.Text.Json;

namespace Appliance.Protocol.Control;

/// <summary>
/// Bounds what a node may claim about itself before it is stored and fanned out to every peer. A Hostinfo that
/// passes JSON parsing can still be hostile (megabyte hostnames, thousands of routes); one bad node must not
/// bloat every other node's map (headscale #3349: one bad name broke maps for everyone).
/// Limits are generous multiples of what real clients send.
/// </summary>
public static class HostinfoValidator
{
    public const int MaxStringLength = 1024;
    public const int MaxHostnameLength = 256;
    public const int MaxListEntries = 256;
    public const int MaxRoutes = 1024;

    /// <summary>All fields the server does not model, serialised, must fit in this (real clients send &lt; 1 KiB).</summary>
    public const int MaxExtraBytes = 16 * 1024;

    /// <remarks>JSON can put null where the types say non-null (<c>"Services":[null]</c>); every list entry is checked.</remarks>
    public static bool TryValidate(Hostinfo? hostinfo, out string error)
    {
        error = "";
        if (hostinfo is null)
        {
            return true;
        }

        if (hostinfo.Hostname is { Length: > MaxHostnameLength })
        {
            error = $"Hostinfo.Hostname is longer than {MaxHostnameLength} characters";
            return false;
        }

        string?[] strings = [hostinfo.IPNVersion, hostinfo.FrontendLogID, hostinfo.BackendLogID, hostinfo.OS, hostinfo.OSVersion, hostinfo.Machine, hostinfo.GoArch];
        if (strings.Any(s => s is { Length: > MaxStringLength }))
        {
            error = $"a Hostinfo string is longer than {MaxStringLength} characters";
            return false;
        }

        if (hostinfo.RoutableIPs is { } routes)
        {
            if (routes.Count > MaxRoutes)
            {
                error = $"Hostinfo.RoutableIPs has more than {MaxRoutes} entries";
                return false;
            }

            foreach (var route in routes)
            {
                if (route is null || !IPNetwork.TryParse(route, out _))
                {
                    error = "Hostinfo.RoutableIPs holds an invalid prefix";
                    return false;
                }
            }
        }

        if (!BoundedList(hostinfo.RequestTags, "RequestTags", out error)
            || !BoundedList(hostinfo.SshHostKeys, "sshHostKeys", out error))
        {
            return false;
        }

        if (hostinfo.Services is { Count: > MaxListEntries })
        {
            error = $"Hostinfo.Services has more than {MaxListEntries} entries";
            return false;
        }

        if (hostinfo.Services is { } services && services.Any(s => s is null || s.Proto is null || s.Proto.Length > 64 || s.Description is { Length: > MaxStringLength }))
        {
            error = "a Hostinfo.Services entry is too long";
            return false;
        }

        if (ExtraSize(hostinfo.Extra) + ExtraSize(hostinfo.NetInfo?.Extra) > MaxExtraBytes
            || hostinfo.NetInfo?.DERPLatency is { Count: > MaxListEntries })
        {
            error = $"Hostinfo carries more than {MaxExtraBytes} bytes of other fields";
            return false;
        }

        return true;
    }

    private static bool BoundedList(IReadOnlyList<string>? list, string name, out string error)
    {
        error = "";
        if (list is null)
        {
            return true;
        }

        if (list.Count > MaxListEntries || list.Any(s => s is null || s.Length > MaxStringLength))
        {
            error = $"Hostinfo.{name} is too large";
            return false;
        }

        return true;
    }

    private static long ExtraSize(Dictionary<string, JsonElement>? extra)
    {
        if (extra is null)
        {
            return 0;
        }

        long total = 0;
        foreach (var (key, value) in extra)
        {
            total += key.Length + value.GetRawText().Length;
        }

        return total;
    }
}
