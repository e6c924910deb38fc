using System.Net;
using Appliance.Derp.Relay;
using Microsoft.Extensions.Logging;

namespace Appliance.Hosting.Derp;

/// <summary>DERP and STUN log messages (event IDs 4000–4099). Client-caused outcomes log at Debug; keys only as short strings.</summary>
internal static partial class DerpLog
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Debug, Message = "DERP connection from {Remote} ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, IPEndPoint? remote, DerpCloseReason reason);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "DERP upgrade refused for {Remote}: {Why}")]
    public static partial void UpgradeRefused(ILogger logger, IPAddress? remote, string why);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "DERP relay ready, server key {ServerKey}")]
    public static partial void Ready(ILogger logger, string serverKey);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Information, Message = "STUN listening on {Endpoint}")]
    public static partial void StunListening(ILogger logger, IPEndPoint endpoint);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "DERP relay stopping: sending Restarting to {Count} connections")]
    public static partial void Stopping(ILogger logger, long count);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "DERP connection from {Remote} failed unexpectedly")]
    public static partial void ConnectionFailed(ILogger logger, IPEndPoint? remote, Exception exception);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "DERP connection from {Remote} presented a mesh key that is not this instance's derp.mesh_key_file (or this instance has no mesh): refused. Copy the same key file to every instance of the mesh")]
    public static partial void MeshKeyRejected(ILogger logger, IPEndPoint? remote);
}
