namespace Appliance.Protocol.Stun;

/// <summary>Outcome of parsing a datagram as a Tailscale Binding Request (the errors of tailscale net/stun/stun.go).</summary>
public enum StunParseResult
{
    Ok,

    /// <summary>Shorter than a header, top bits set or wrong cookie: not STUN at all, ignore silently.</summary>
    NotStun,

    /// <summary>STUN, but not a Binding Request.</summary>
    NotBindingRequest,

    /// <summary>Attribute lengths do not add up.</summary>
    Malformed,

    /// <summary>The last attribute is not FINGERPRINT.</summary>
    NoFingerprint,

    /// <summary>FINGERPRINT present but wrong.</summary>
    BadFingerprint,

    /// <summary>SOFTWARE missing or not "tailnode".</summary>
    WrongSoftware,
}
