namespace Appliance.Hosting.Configuration;

/// <summary>The `policy:` section: the HuJSON access policy.</summary>
public sealed class PolicyOptions
{
    /// <summary>HuJSON policy file. Empty means the policy is kept in the database (`appliance policy set`). Default empty.</summary>
    public string File { get; set; } = "";

    /// <summary>
    /// Reload the policy file (without one: an updates content bundle's policy) when it changes; SIGHUP always
    /// reloads. An invalid edit keeps the last good policy. Default true.
    /// </summary>
    public bool Reload { get; set; } = true;
}
