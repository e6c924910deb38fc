using System.Net;
using Appliance.Protocol.Derp;
using Appliance.Protocol.Keys;

namespace Appliance.Protocol.Tests.Derp;

public class DerpFramePayloadTests
{
    private static readonly NodePublic Key = NodePrivate.Generate().Public;

    private static byte[] Payload(Func<byte[], int> write)
    {
        var buffer = new byte[2048];
        var written = write(buffer);
        return buffer.AsSpan(DerpConstants.FrameHeaderLength, written - DerpConstants.FrameHeaderLength).ToArray();
    }

    [Fact]
    public void ServerKey_round_trips_and_needs_the_magic()
    {
        var payload = Payload(b => DerpFrameWriter.TryWriteServerKey(b, Key.Raw, out var n) ? n : 0);
        Assert.True(DerpFramePayloads.TryParseServerKey(payload, out var parsed));
        Assert.Equal(Key, parsed);

        payload[0] ^= 1;
        Assert.False(DerpFramePayloads.TryParseServerKey(payload, out _));
        Assert.False(DerpFramePayloads.TryParseServerKey(payload.AsSpan(0, 39), out _));
    }

    [Fact]
    public void PeerGone_round_trips_with_its_reason()
    {
        var payload = Payload(b => DerpFrameWriter.TryWritePeerGone(b, Key.Raw, DerpPeerGoneReason.NotHere, out var n) ? n : 0);
        Assert.True(DerpFramePayloads.TryParsePeerGone(payload, out var key, out var reason));
        Assert.Equal(Key, key);
        Assert.Equal(DerpPeerGoneReason.NotHere, reason);
        Assert.True(DerpFramePayloads.TryParsePeerGone(payload.AsSpan(0, 32), out _, out reason));
        Assert.Equal(DerpPeerGoneReason.Disconnected, reason);
        Assert.False(DerpFramePayloads.TryParsePeerGone(payload.AsSpan(0, 31), out _, out _));
    }

    [Fact]
    public void PeerPresent_round_trips_an_IPv4_endpoint_through_its_mapped_form()
    {
        var endpoint = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 41641);
        var payload = Payload(b => DerpFrameWriter.TryWritePeerPresent(b, Key.Raw, endpoint, 1, out var n) ? n : 0);
        Assert.Equal(32 + 16 + 2 + 1, payload.Length);
        Assert.True(DerpFramePayloads.TryParsePeerPresent(payload, out var key, out var parsed, out var flags));
        Assert.Equal(Key, key);
        Assert.Equal(endpoint, parsed);
        Assert.Equal(1, flags);
    }

    [Fact]
    public void Ping_accepts_8_to_1000_bytes_and_echoes_the_first_8()
    {
        var ping = Enumerable.Range(1, 20).Select(i => (byte)i).ToArray();
        Assert.True(DerpFramePayloads.TryParsePing(ping, out var data));
        Assert.Equal(ping[..8], data.ToArray());
        Assert.False(DerpFramePayloads.TryParsePing(new byte[7], out _));
        Assert.False(DerpFramePayloads.TryParsePing(new byte[1001], out _));
    }

    [Fact]
    public void Restarting_round_trips_both_durations_in_milliseconds()
    {
        var payload = Payload(b => DerpFrameWriter.TryWriteRestarting(b, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), out var n) ? n : 0);
        Assert.True(DerpFramePayloads.TryParseRestarting(payload, out var reconnect, out var tryFor));
        Assert.Equal(TimeSpan.FromSeconds(2), reconnect);
        Assert.Equal(TimeSpan.FromMinutes(5), tryFor);
        Assert.False(DerpFramePayloads.TryParseRestarting(payload.AsSpan(0, 7), out _, out _));
    }

    [Fact]
    public void NotePreferred_is_exactly_one_byte()
    {
        Assert.True(DerpFramePayloads.TryParseNotePreferred([1], out var preferred));
        Assert.True(preferred);
        Assert.True(DerpFramePayloads.TryParseNotePreferred([0], out preferred));
        Assert.False(preferred);
        Assert.False(DerpFramePayloads.TryParseNotePreferred([], out _));
        Assert.False(DerpFramePayloads.TryParseNotePreferred([1, 1], out _));
    }

    [Fact]
    public void Disco_packets_are_recognised_by_magic_and_minimum_length()
    {
        var disco = new byte[6 + 32 + 24];
        DerpConstants.DiscoMagic.CopyTo(disco);
        Assert.True(DerpConstants.LooksLikeDisco(disco));
        Assert.False(DerpConstants.LooksLikeDisco(disco.AsSpan(0, disco.Length - 1)));
        disco[0] = 0;
        Assert.False(DerpConstants.LooksLikeDisco(disco));
    }
}
