using System.Buffers.Binary;

namespace Appliance.Protocol.Noise;

/// <summary>
/// Layout of the 101-byte initiation (control/controlbase/messages.go initiationMessage):
/// <code>
/// offset 0   u16 BE protocol version (= the client's capability version)
/// offset 2   u8     type = 0x01
/// offset 3   u16 BE length = 96
/// offset 5   32 B   client ephemeral public key
/// offset 37  48 B   client machine public key, sealed (32 + 16 tag)
/// offset 85  16 B   tag of the empty payload
/// </code>
/// </summary>
public static class NoiseInitiation
{
    public const int VersionOffset = 0;
    public const int TypeOffset = 2;
    public const int LengthOffset = 3;
    public const int EphemeralOffset = 5;
    public const int MachineKeyOffset = EphemeralOffset + NoiseConstants.KeySize;
    public const int TagOffset = MachineKeyOffset + NoiseConstants.KeySize + NoiseConstants.TagSize;

    /// <summary>Reads the version field, if there are at least two bytes.</summary>
    public static bool TryReadVersion(ReadOnlySpan<byte> initiation, out ushort version)
    {
        if (initiation.Length < 2)
        {
            version = 0;
            return false;
        }

        version = BinaryPrimitives.ReadUInt16BigEndian(initiation);
        return true;
    }

    /// <summary>The structural checks the responder makes before any crypto, in upstream's order.</summary>
    public static NoiseHandshakeRefusal Validate(ReadOnlySpan<byte> initiation)
    {
        if (initiation.Length != NoiseConstants.InitiationSize)
        {
            return NoiseHandshakeRefusal.WrongSize;
        }

        if (initiation[TypeOffset] != (byte)NoiseMessageType.Initiation)
        {
            return NoiseHandshakeRefusal.UnexpectedType;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(initiation[LengthOffset..]) != NoiseConstants.InitiationPayloadLength)
        {
            return NoiseHandshakeRefusal.WrongLength;
        }

        return NoiseHandshakeRefusal.None;
    }
}
