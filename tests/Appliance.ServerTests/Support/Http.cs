using System.Net.Sockets;

namespace Appliance.ServerTests.Support;

/// <summary>HTTP helpers: polling a child's /health, and a client that talks over the admin Unix socket.</summary>
internal static class Http
{
    public static async Task<string?> WaitForHealthAsync(Uri baseAddress, ApplianceProcess process, TimeSpan timeout)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                return await client.GetStringAsync(new Uri(baseAddress, "/health"));
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100);
            }
        }

        return null;
    }

    public static HttpClient UnixSocketClient(string socketPath) =>
        new(new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        })
        {
            BaseAddress = new Uri("http://admin.sock"),
        };
}
