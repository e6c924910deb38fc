using System.Buffers;

namespace Appliance.Protocol.Derp;

/// <summary>One complete frame: its type and a payload slice that is valid until the reader is advanced.</summary>
public readonly record struct DerpFrame(DerpFrameType Type, ReadOnlySequence<byte> Payload)
{
    public int Length => (int)Payload.Length;
}
