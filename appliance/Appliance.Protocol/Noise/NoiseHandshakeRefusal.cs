namespace Appliance.Protocol.Noise;

/// <summary>Why the responder refused an initiation. Expected outcomes of untrusted input, so a value, not an exception.</summary>
public enum NoiseHandshakeRefusal
{
    None = 0,

    /// <summary>The initiation is not exactly 101 bytes.</summary>
    WrongSize,

    /// <summary>The type byte is not 0x01.</summary>
    UnexpectedType,

    /// <summary>The length field is not 96.</summary>
    WrongLength,

    /// <summary>es or ss failed: a malformed or low-order public key.</summary>
    BadKey,

    /// <summary>The sealed machine key or the final tag did not authenticate (wrong server key, tampering, wrong version).</summary>
    DecryptFailed,

    /// <summary>The client's capability version is below the supported floor.</summary>
    UnsupportedVersion,
}

/// <summary>The text a refusal puts in a Noise error frame, where upstream sends one.</summary>
public static class NoiseHandshakeRefusalText
{
    /// <summary>
    /// The error-frame text, or null where upstream sends none and just closes (control/controlbase/handshake.go
    /// Server: sendErr only for size/type/length; decryption failures return without writing). The texts are fixed
    /// so nothing attacker-controlled is echoed back.
    /// </summary>
    public static string? ErrorFrameText(this NoiseHandshakeRefusal refusal) => refusal switch
    {
        NoiseHandshakeRefusal.WrongSize => "wrong handshake initiation size",
        NoiseHandshakeRefusal.UnexpectedType => "unexpected handshake message type",
        NoiseHandshakeRefusal.WrongLength => "wrong handshake initiation length",
        NoiseHandshakeRefusal.UnsupportedVersion => "unsupported client version",
        _ => null,
    };
}
