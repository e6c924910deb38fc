namespace Appliance.Hosting.Configuration;

/// <summary>
/// Where `appliance install` puts the appliance (FHS): the one place these paths are written down, so the
/// installer, the unit, `serve` and the CLI agree. docs/operator-guide.md ("Install") shows the same table.
/// </summary>
public static class InstalledLayout
{
    /// <summary>The service user and group (sysusers.d).</summary>
    public const string User = "appliance";

    /// <summary>Members may use the admin socket (the operator CLI) without being root.</summary>
    public const string AdminGroup = "appliance-admin";

    public const string Unit = "appliance";

    public const string ConfigDir = "/etc/appliance";

    public const string DataDir = "/var/lib/appliance";

    /// <summary>
    /// The admin socket of the installed service: outside the 0700 data folder, in a setgid directory of group
    /// <see cref="AdminGroup"/> (tmpfiles.d), so members of that group can reach the socket and nothing else.
    /// </summary>
    public const string RuntimeDir = "/run/appliance";

    public const string AdminSocket = RuntimeDir + "/admin.sock";

    /// <summary>What the unit runs: the updater's `current` link (Appliance.Updates UpdatePaths).</summary>
    public const string CurrentBinary = DataDir + "/updates/current/appliance";

    /// <summary>
    /// The operator's command on PATH: a link to <see cref="CommandLibrary"/>/current/appliance, a copy of the current
    /// release that operators outside the 0700 data folder can run (decision 0094).
    /// </summary>
    public const string CommandLink = "/usr/local/bin/appliance";

    /// <summary>Root's folder of release copies for <see cref="CommandLink"/>: VERSION-HASH/appliance and `current`.</summary>
    public const string CommandLibrary = "/usr/local/lib/appliance";

    /// <summary>
    /// The data folder a command uses when neither --data-dir, APPLIANCE_DATA_DIR nor server.data_dir names one:
    /// the installed one when this machine has it, else ./data (a development checkout).
    /// </summary>
    public static string DefaultDataDir(string installedDataDir = DataDir) =>
        Directory.Exists(installedDataDir) ? installedDataDir : "./data";

    /// <summary>The admin socket for a data folder: the runtime one for the installed folder, else DATA/admin.sock.</summary>
    public static string AdminSocketFor(string dataDir) =>
        string.Equals(Path.GetFullPath(dataDir).TrimEnd('/'), DataDir, StringComparison.Ordinal)
            ? AdminSocket
            : Path.Combine(Path.GetFullPath(dataDir), "admin.sock");
}
