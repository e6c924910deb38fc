using System.Net;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp.Sockets;

/// <summary>Log messages of the plain HTTP listener's own sockets (event IDs 5191..; decision 0119).</summary>
internal static partial class DerpSocketLog
{
    [LoggerMessage(EventId = 5191, Level = LogLevel.Warning, Message = "Connection from {Remote} on the plain HTTP listener failed before it reached Kestrel or the DERP relay")]
    public static partial void ConnectionFailed(ILogger logger, IPEndPoint? remote, Exception exception);
}
