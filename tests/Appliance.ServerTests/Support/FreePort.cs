using System.Net;
using System.Net.Sockets;

namespace Appliance.ServerTests.Support;

/// <summary>A loopback TCP port that was free a moment ago, for child processes whose port the test must know up front.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
