namespace Appliance.Hosting.Startup;

/// <summary>
/// The admin Unix socket `&lt;data&gt;/admin.sock`. The CLI reaches the running service through it; access is
/// the file mode (0600) inside the 0700 data folder, so only the service user can connect.
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

    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, Mode);
        }
    }
}
