using System.Net.Sockets;
using System.Net.WebSockets;

namespace Appliance.Derp.Relay;

/// <summary>
/// What a client's transport throws when the client goes away. The relay never throws for client behaviour, so these
/// end the connection quietly instead of escaping a loop. The list is wider than IOException because the transports
/// Hosting hands in throw other types: a WebSocketStream throws NotSupportedException ("The base stream is not
/// writeable") once the peer's close has been seen, ManagedWebSocket throws WebSocketException when the peer vanishes
/// without a close handshake, and a disposed SslStream throws ObjectDisposedException.
/// </summary>
internal static class TransportFailure
{
    public static bool Is(Exception exception) => exception
        is IOException
        or ObjectDisposedException
        or NotSupportedException
        or InvalidOperationException
        or WebSocketException
        or SocketException;
}
