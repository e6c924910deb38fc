namespace Appliance.Hosting.Configuration;

/// <summary>Absolute paths derived from the options: the data folder and what lives in it by default.</summary>
public sealed record AppliancePaths(string DataDir, string? LogFile, string AdminSocket, string ReleasesDir)
{
    /// <summary>sockaddr_un.sun_path is 108 bytes on Linux, including the terminating NUL.</summary>
    public const int MaxUnixSocketPath = 107;

    public static AppliancePaths From(ApplianceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var data = Path.GetFullPath(options.Server.DataDir);
        var logFile = options.Log.File switch
        {
            "" => Path.Combine(data, "logs", "appliance.log"),
            "off" => null,
            var file => Path.GetFullPath(file),
        };
        var releases = options.Updates.ReleasesDir.Length == 0 ? Path.Combine(data, "releases") : Path.GetFullPath(options.Updates.ReleasesDir);
        return new AppliancePaths(data, logFile, InstalledLayout.AdminSocketFor(data), releases);
    }
}
