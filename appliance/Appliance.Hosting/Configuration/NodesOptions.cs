namespace Appliance.Hosting.Configuration;

/// <summary>The `nodes:` section: node key lifetime and map update pacing.</summary>
public sealed class NodesOptions
{
    /// <summary>Node key expiry after login; 0 means keys never expire. 0 or 1h..3650d, default 180d.</summary>
    public TimeSpan KeyExpiry { get; set; } = TimeSpan.FromDays(180);

    /// <summary>An ephemeral node offline this long is deleted. 1m..30d, default 30m.</summary>
    public TimeSpan EphemeralInactivityTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Changes arriving within this window are sent as one map update. 0..10s, default 250ms.</summary>
    public TimeSpan ChangeCoalesce { get; set; } = TimeSpan.FromMilliseconds(250);
}
