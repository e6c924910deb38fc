namespace Appliance.Protocol.Noise;

/// <summary>The first header byte of every ts2021 frame (control/controlbase/messages.go msgType*).</summary>
public enum NoiseMessageType : byte
{
    /// <summary>Client → server handshake initiation (carried in the X-Tailscale-Handshake header).</summary>
    Initiation = 1,

    /// <summary>Server → client handshake response.</summary>
    Response = 2,

    /// <summary>Server → client refusal instead of a response: UTF-8 text, unauthenticated, a hint only.</summary>
    Error = 3,

    /// <summary>An encrypted transport record, both directions.</summary>
    Record = 4,
}
