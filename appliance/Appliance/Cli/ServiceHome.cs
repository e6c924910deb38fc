namespace Appliance.Cli;

/// <summary>
/// .NET keeps per-user X509 stores under $HOME (PersistedFiles), and TLS chain building opens the "Disallowed" store
/// there. A service user with no HOME and no passwd entry (systemd DynamicUser without nss-systemd, or a bare uid)
/// makes that throw "The home directory of the current user could not be determined" and the service crash-loops.
/// When HOME is unset or names no directory, serve points it at the data folder, which is the service user's own.
/// </summary>
public static class ServiceHome
{
    public static void Ensure(string dataDir)
    {
        var home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home) || !Directory.Exists(home))
        {
            Environment.SetEnvironmentVariable("HOME", dataDir);
        }
    }
}
