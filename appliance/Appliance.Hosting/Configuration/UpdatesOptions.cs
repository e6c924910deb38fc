namespace Appliance.Hosting.Configuration;

/// <summary>The `updates:` section: staged offline updates.</summary>
public sealed class UpdatesOptions
{
    /// <summary>Where verified releases are unpacked side by side. Empty means `&lt;data_dir&gt;/releases`. Default empty.</summary>
    public string ReleasesDir { get; set; } = "";

    /// <summary>How long a freshly applied release has to report ready before it is rolled back. 10s..1h, default 120s.</summary>
    public TimeSpan HealthTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Release and content versions kept on disk after a successful update (older ones are deleted). 2..100, default 3.</summary>
    public int KeepVersions { get; set; } = 3;
}
