using System.Net;

namespace Appliance.Protocol.Control;

/// <summary>
/// Checks a parsed MapRequest before anything in it is applied: endpoints must be real AddrPorts (and few),
/// EndpointTypes parallel to them, Hostinfo bounded (<see cref="HostinfoValidator"/>).
/// </summary>
public static class MapRequestValidator
{
    /// <summary>Real clients report a handful; magicsock caps its own list well below this.</summary>
    public const int MaxEndpoints = 64;

    public const int MaxDebugFlags = 64;

    public static bool TryValidate(MapRequest request, out string error)
    {
        ArgumentNullException.ThrowIfNull(request);
        error = "";
        if (request.NodeKey.IsZero)
        {
            error = "MapRequest.NodeKey is missing";
            return false;
        }

        if (request.Endpoints is { } endpoints)
        {
            if (endpoints.Count > MaxEndpoints)
            {
                error = $"MapRequest has more than {MaxEndpoints} endpoints";
                return false;
            }

            foreach (var endpoint in endpoints)
            {
                if (endpoint is null || endpoint.Length > 64 || !IPEndPoint.TryParse(endpoint, out var parsed) || parsed.Port == 0)
                {
                    error = "MapRequest.Endpoints holds an invalid address:port";
                    return false;
                }
            }

            if (request.EndpointTypes is { } types && types.Count != endpoints.Count)
            {
                error = "MapRequest.EndpointTypes does not match Endpoints";
                return false;
            }
        }

        if (request.DebugFlags is { } flags && (flags.Count > MaxDebugFlags || flags.Any(f => f is null || f.Length > 256)))
        {
            error = "MapRequest.DebugFlags is too large";
            return false;
        }

        return HostinfoValidator.TryValidate(request.Hostinfo, out error);
    }
}
