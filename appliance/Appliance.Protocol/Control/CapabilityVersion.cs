namespace Appliance.Protocol.Control;

/// <summary>
/// Tailscale capability versions (tailcfg.CurrentCapabilityVersion) that this server gates on.
/// History (tailscale tailcfg/tailcfg.go; headscale hscontrol/capver/capver_generated.go):
/// 113 = v1.80.0 (2025-02), 133 = v1.96 (the recorded client), 145 = main at the time of writing (2026-08).
/// </summary>
public static class CapabilityVersion
{
    /// <summary>The oldest client we serve: v1.80.0, the same floor as headscale's MinSupportedCapabilityVersion.</summary>
    public const int MinimumSupported = 113;

    /// <summary>The version the TestKit client announces (v1.96, as in the recorded real client).</summary>
    public const int TestClient = 133;

    /// <summary>From 111 clients read <c>HomeDERP</c>, so the legacy <c>DERP</c> string is not needed.</summary>
    public const int HomeDerp = 111;
}
