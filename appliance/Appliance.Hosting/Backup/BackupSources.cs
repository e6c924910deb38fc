using Appliance.Hosting.Configuration;

namespace Appliance.Hosting.Backup;

/// <summary>What goes into an archive and where archives go, from the configuration.</summary>
public sealed class BackupSources
{
    /// <summary>Data-folder entries that are not archived: the live database (its online copy is), the lock, the admin socket, logs, backups, releases.</summary>
    public static readonly IReadOnlySet<string> Excluded = new HashSet<string>(StringComparer.Ordinal)
    {
        "appliance.db", "appliance.db-wal", "appliance.db-shm", "appliance.db-journal", "appliance.lock", "admin.sock",
        "logs", "backups", "releases", ".write-probe",
    };

    public BackupSources(ApplianceOptions options, string? configFile, string? backupDir = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var paths = AppliancePaths.From(options);
        DataDir = paths.DataDir;
        BackupDir = backupDir is not null ? Path.GetFullPath(backupDir)
            : options.Backup.Dir.Length == 0 ? Path.Combine(DataDir, "backups")
            : Path.GetFullPath(options.Backup.Dir);
        ConfigFile = configFile;
        PolicyFile = options.Policy.File.Length == 0 ? null : Path.GetFullPath(options.Policy.File);
        Keep = options.Backup.Keep;
        EncryptTo = options.Backup.EncryptTo.Length == 0 ? null
            : Encryption.AgeRecipient.TryParse(options.Backup.EncryptTo, out var recipient) ? recipient
            : throw new BackupException($"backup.encrypt_to '{options.Backup.EncryptTo}' is not an age recipient (age1…)");
    }

    public string DataDir { get; }

    public string BackupDir { get; }

    /// <summary>The YAML file the configuration came from (serve sets it; null with the embedded defaults).</summary>
    public string? ConfigFile { get; set; }

    /// <summary>`policy.file` when set; archived as policy/NAME (inside the data folder it is archived there as well).</summary>
    public string? PolicyFile { get; }

    public int Keep { get; }

    /// <summary>`backup.encrypt_to`: archives are age-encrypted to this public key (`.tar.age`); null writes plain `.tar`.</summary>
    public Encryption.AgeRecipient? EncryptTo { get; }
}
