namespace Appliance.Hosting.Startup;

/// <summary>
/// The admin Unix socket `&lt;data&gt;/admin.sock` (installed: /run/appliance/admin.sock). The CLI reaches the running
/// service through it; access is the file mode (0600, or 0660 in the installed setgid directory), so only the service
/// user (and, installed, the appliance-admin group) can connect.
/// </summary>
public static class AdminSocket
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Removes a socket file left by a process that died. Call only while holding the data folder lock: then no
    /// live appliance can own it, so deleting it cannot cut off a running service.
    /// </summary>
    public static void RemoveStale(ApplianceState heldState)
    {
        ArgumentNullException.ThrowIfNull(heldState);
        var path = heldState.Paths.AdminSocket;
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    /// <summary>Group members may connect too: the installed socket's setgid directory (InstalledLayout.RuntimeDir).</summary>
    public const UnixFileMode GroupMode = Mode | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    /// <summary>
    /// 0600; 0660 when the socket's directory is setgid: the installer makes /run/appliance setgid to group
    /// appliance-admin, so the socket inherits that group and its members (the operators) may connect.
    /// </summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            var directory = Path.GetDirectoryName(path);
            var shared = directory is not null && (File.GetUnixFileMode(directory) & UnixFileMode.SetGroup) != 0;
            File.SetUnixFileMode(path, shared ? GroupMode : Mode);
        }
    }
}
