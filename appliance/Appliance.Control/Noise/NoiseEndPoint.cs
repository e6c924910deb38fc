using System.Net;

namespace Appliance.Control.Noise;

/// <summary>
/// The in-process "address" Kestrel binds for decrypted Noise sessions. Only <see cref="NoiseConnectionListenerFactory"/>
/// claims it; nothing listens on a socket for it.
/// </summary>
public sealed class NoiseEndPoint : EndPoint
{
    public override string ToString() => "noise:ts2021";

    public override bool Equals(object? obj) => obj is NoiseEndPoint;

    public override int GetHashCode() => typeof(NoiseEndPoint).GetHashCode();
}
