using System.Buffers.Binary;
using System.Text;

namespace Appliance.Protocol.Noise;

/// <summary>
/// The refusal frame a server sends instead of a handshake response: `03 · u16 BE len · UTF-8 text`.
/// Unauthenticated, a hint for the client's log only (control/controlbase/handshake.go Server sendErr).
/// </summary>
public static class NoiseErrorFrame
{
    public static byte[] Create(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = Encoding.UTF8.GetBytes(text);
        var length = Math.Min(body.Length, ushort.MaxValue);
        var frame = new byte[NoiseConstants.HeaderLength + length];
        frame[0] = (byte)NoiseMessageType.Error;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), (ushort)length);
        body.AsSpan(0, length).CopyTo(frame.AsSpan(NoiseConstants.HeaderLength));
        return frame;
    }
}
