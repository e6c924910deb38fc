namespace Appliance.Derp.Mesh;

/// <summary>Tuning of a mesh link; every value has a safe default.</summary>
public sealed class DerpMeshClientOptions
{
    /// <summary>First reconnect delay after a failed attempt (default 250 ms); doubles per failure up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan MinReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Longest reconnect delay (default 10 s, as derper's watch loop backs off to about that).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Forwarded packets waiting for the link before new ones are dropped (default 512: several clients' worth of derper's 32).</summary>
    public int ForwardQueuePackets { get; set; } = 512;
}
