using System.Buffers;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;
using Appliance.TestKit.Derp;

namespace Appliance.Protocol.Tests.Derp;

/// <summary>Seeded random mutation of the recorded streams: the reader and payload parsers may refuse, never crash.</summary>
public class DerpFrameFuzzTests
{
    [Fact]
    public void Mutated_recorded_streams_only_ever_parse_or_raise_a_protocol_error()
    {
        var random = new Random(20261125);
        using var doc = RecordedDerp.LoadConnection("conn-1-node-a.json");
        var seeds = new[] { RecordedDerp.FrameStream(doc.RootElement, "c2s"), RecordedDerp.FrameStream(doc.RootElement, "s2c") };
        var server = NodePrivate.Generate();

        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var input = (byte[])seeds[iteration % 2].Clone();
            var start = random.Next(input.Length);
            var take = Math.Min(input.Length - start, random.Next(1, 600));
            input = input.AsSpan(start, take).ToArray();
            for (var m = random.Next(1, 6); m > 0; m--)
            {
                input[random.Next(input.Length)] = (byte)random.Next(256);
            }

            var buffer = SegmentedSequence.Create(input, random.Next(1, 64));
            try
            {
                while (DerpFrameReader.TryReadFrame(ref buffer, out var frame))
                {
                    Exercise(frame, server);
                }
            }
            catch (DerpProtocolException)
            {
                // Oversized declared length: the expected refusal.
            }
        }
    }

    private static void Exercise(DerpFrame frame, NodePrivate server)
    {
        var payload = frame.Payload.ToArray();
        _ = DerpFramePayloads.TryParseServerKey(payload, out _);
        _ = DerpFramePayloads.TryParseKeyedPacket(payload, out _, out _);
        _ = DerpFramePayloads.TryParsePeerGone(payload, out _, out _);
        _ = DerpFramePayloads.TryParsePeerPresent(payload, out _, out _, out _);
        _ = DerpFramePayloads.TryParsePing(payload, out _);
        _ = DerpFramePayloads.TryParseRestarting(payload, out _, out _);
        _ = DerpFramePayloads.TryParseNotePreferred(payload, out _);
        _ = DerpHandshakeBox.TryOpenClientInfo(payload, server, out _, out _);
    }
}
