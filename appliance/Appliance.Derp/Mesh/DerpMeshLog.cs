using Microsoft.Extensions.Logging;

namespace Appliance.Derp.Mesh;

/// <summary>DERP mesh log messages (event ids 5101–5199). Peers are named by their configured URL.</summary>
internal static partial class DerpMeshLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "DERP mesh link to {Peer} is up (peer server key {ServerKey})")]
    public static partial void LinkUp(ILogger logger, string peer, Appliance.Protocol.Keys.NodePublic serverKey);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "DERP mesh link to {Peer} is down ({Why}); {Clients} clients homed there are unreachable until it returns; retrying in {Delay}")]
    public static partial void LinkDown(ILogger logger, string peer, string why, int clients, TimeSpan delay);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "DERP mesh peer {Peer} closed the connection after our ClientInfo: it refused our mesh key (derp.mesh_key_file must be the same file on every instance) or it has no mesh configured; retrying in {Delay}")]
    public static partial void KeyRefused(ILogger logger, string peer, TimeSpan delay);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "DERP mesh link to {Peer} failed unexpectedly; retrying in {Delay}")]
    public static partial void LinkFailed(ILogger logger, string peer, TimeSpan delay, Exception exception);
}
