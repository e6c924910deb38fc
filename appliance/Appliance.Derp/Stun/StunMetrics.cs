namespace Appliance.Derp.Stun;

/// <summary>Counters of the STUN listener.</summary>
public sealed class StunMetrics
{
    internal long RequestsValue;
    internal long ResponsesValue;
    internal long IgnoredValue;

    /// <summary>Datagrams received.</summary>
    public long Requests => Interlocked.Read(ref RequestsValue);

    /// <summary>Binding Success Responses sent.</summary>
    public long Responses => Interlocked.Read(ref ResponsesValue);

    /// <summary>Datagrams that were not a valid Tailscale Binding Request (not answered).</summary>
    public long Ignored => Interlocked.Read(ref IgnoredValue);
}
