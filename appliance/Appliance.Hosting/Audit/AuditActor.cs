using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Appliance.Hosting.Audit;

/// <summary>
/// Who is acting, for the audit record: a person ("alice", set by a page that authenticated them), the local OS
/// user behind admin.sock ("local:root", from the socket's peer credentials) or the CLI in direct mode, or "system"
/// for the appliance's own work (schedules, reloads on file change). Flows with the request through an AsyncLocal.
/// </summary>
public static class AuditActor
{
    public const string SystemActor = "system";

    private static readonly AsyncLocal<string?> CurrentValue = new();
    private static readonly AsyncLocal<bool> InConsoleRequestValue = new();

    /// <summary>The actor of the code running now, or null when nobody set one.</summary>
    public static string? Current
    {
        get => CurrentValue.Value;
        set => CurrentValue.Value = value;
    }

    /// <summary>
    /// True while a console change request runs: the console's hook (<see cref="AuditLogConsoleHook"/>) records it
    /// with the person, so <see cref="AuditedAdminApi"/> under it leaves it to the hook instead of writing a second,
    /// anonymous line.
    /// </summary>
    public static bool InConsoleRequest
    {
        get => InConsoleRequestValue.Value;
        set => InConsoleRequestValue.Value = value;
    }

    /// <summary>The OS user running this process, for a CLI verb working on the data folder directly.</summary>
    public static string LocalProcessUser => "local:" + Environment.UserName;

    /// <summary>"local:NAME" for the peer of a Unix-socket request (SO_PEERCRED), "local:uid N" if the name is unknown.</summary>
    public static string OfSocketPeer(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var socket = context.Features.Get<IConnectionSocketFeature>()?.Socket;
        if (socket is null || !OperatingSystem.IsLinux())
        {
            return "local:unknown";
        }

        try
        {
            // struct ucred { pid_t pid; uid_t uid; gid_t gid; } from SO_PEERCRED (socket(7)): SOL_SOCKET = 1, SO_PEERCRED = 17 on Linux.
            Span<byte> ucred = stackalloc byte[12];
            var length = socket.GetRawSocketOption(1, 17, ucred);
            if (length < 12)
            {
                return "local:unknown";
            }

            var uid = MemoryMarshal.Read<uint>(ucred[4..8]);
            return "local:" + (UserName(uid) ?? "uid " + uid.ToString(CultureInfo.InvariantCulture));
        }
        catch (SocketException)
        {
            return "local:unknown";
        }
    }

    // /etc/passwd: name:password:uid:... (passwd(5)); NSS sources beyond the file are not consulted.
    private static string? UserName(uint uid)
    {
        try
        {
            var wanted = uid.ToString(CultureInfo.InvariantCulture);
            return File.ReadLines("/etc/passwd")
                .Select(line => line.Split(':'))
                .FirstOrDefault(fields => fields.Length > 2 && fields[2] == wanted)?[0];
        }
        catch (IOException)
        {
            return null;
        }
    }
}
