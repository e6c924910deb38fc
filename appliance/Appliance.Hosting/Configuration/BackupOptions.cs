namespace Appliance.Hosting.Configuration;

/// <summary>The `backup:` section: scheduled archives of the database, keys, CA, config, identity and policy.</summary>
public sealed class BackupOptions
{
    /// <summary>Where archives are written. Empty means `&lt;data_dir&gt;/backups`. Default empty.</summary>
    public string Dir { get; set; } = "";

    /// <summary>How often `serve` takes a backup; 0 turns the schedule off. 0 or 1m..366d, default 1d.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How many archives are kept (older ones are deleted after a successful backup). 1..1000, default 7.</summary>
    public int Keep { get; set; } = 7;

    /// <summary>How often `serve` restore-drills the newest archive (`backup verify`); 0 turns it off. 0 or 1m..366d, default 7d.</summary>
    public TimeSpan VerifyInterval { get; set; } = TimeSpan.FromDays(7);

    /// <summary>An age X25519 recipient (`age1…`): archives are encrypted to it and the appliance cannot read them back. Empty = not encrypted.</summary>
    public string EncryptTo { get; set; } = "";
}
