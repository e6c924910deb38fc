using Microsoft.Extensions.Logging;

namespace Appliance.Cli;

/// <summary>Events of <see cref="UpdatesOwnershipRepair"/> (8021..: the sec block of StateEvents' id ranges).</summary>
internal static partial class UpdatesOwnershipLog
{
    [LoggerMessage(EventId = 8021, Level = LogLevel.Warning, Message = "{Path} belonged to {Uid}:{Gid} with mode {OldMode}; given back to root:root with mode {NewMode} (the updates root and the releases are root's)")]
    public static partial void Repaired(ILogger logger, string path, uint uid, uint gid, string oldMode, string newMode);

    [LoggerMessage(EventId = 8022, Level = LogLevel.Warning, Message = "{Path} is a symbolic link, not a folder: not followed and not changed; replace it with the folder it should be")]
    public static partial void LinkRefused(ILogger logger, string path);

    [LoggerMessage(EventId = 8023, Level = LogLevel.Warning, Message = "{Path} is root's and has {Links} hard links: left as it is (it may be a file elsewhere linked in); remove it if the updater did not make it")]
    public static partial void HardLinkLeft(ILogger logger, string path, uint links);

    [LoggerMessage(EventId = 8024, Level = LogLevel.Error, Message = "Could not give {Path} back to root: {Reason}; the service starts anyway")]
    public static partial void Failed(ILogger logger, string path, string reason);
}
