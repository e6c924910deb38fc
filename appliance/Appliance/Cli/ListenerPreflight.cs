using System.Net.Sockets;
using Appliance.Hosting.Tls;
using Appliance.Hosting.Configuration;

namespace Appliance.Cli;

/// <summary>
/// Before `serve` takes or writes anything in the data folder: binds each configured TCP/UDP listen address once
/// and lets it go, so a port that another process holds is a one-line error and exit 1 (EX_UNAVAILABLE would be 69; the
/// documented code for "cannot listen" is 1) while a
/// fresh data folder stays untouched (no CA, Noise or DERP key is written for a start that cannot succeed).
/// Port 0 and addresses that do not parse (validation reported them) are skipped.
/// </summary>
public static class ListenerPreflight
{
    /// <summary>The first listen address that cannot be bound, with the key it came from and why; null when all bind.</summary>
    public static string? FirstProblem(ApplianceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tcp = new List<(string Key, string Value)> { ("server.listen", options.Server.Listen) };
        if (options.Tls.Mode != TlsMode.Off)
        {
            tcp.Add(("server.https_listen", options.Server.HttpsListen));
        }

        foreach (var (key, value) in tcp)
        {
            if (Check(key, value, SocketType.Stream, ProtocolType.Tcp) is { } problem)
            {
                return problem;
            }
        }

        return Check("derp.stun_listen", options.Derp.StunListen, SocketType.Dgram, ProtocolType.Udp);
    }

    private static string? Check(string key, string value, SocketType type, ProtocolType protocol)
    {
        if (string.IsNullOrEmpty(value) || !ListenAddress.TryParse(value, out var endPoint) || endPoint.Port == 0)
        {
            return null;
        }

        try
        {
            using var socket = new Socket(endPoint.AddressFamily, type, protocol);
            socket.Bind(endPoint);
            return null;
        }
        catch (SocketException e)
        {
            var why = e.SocketErrorCode switch
            {
                SocketError.AddressAlreadyInUse => "the address is already in use by another process",
                SocketError.AddressNotAvailable => "this machine has no such address",
                SocketError.AccessDenied => "permission denied (ports below 1024 need CAP_NET_BIND_SERVICE)",
                _ => e.Message,
            };
            return $"cannot listen on {value} ({key}): {why}";
        }
    }
}
