using System.Buffers;
using System.Text;
using Appliance.Protocol.Control;
using Appliance.TestKit.Control;

namespace Appliance.Control.Tests.Protocol;

/// <summary>Every control body a real v1.96.5 client and headscale exchanged parses and re-serialises to the same JSON.</summary>
public sealed class RecordedClientConformanceTests
{
    public static TheoryData<string, int> RegisterStreams() => Indexes("/machine/register");

    public static TheoryData<string, int> MapStreams() => Indexes("/machine/map");

    [Theory]
    [MemberData(nameof(RegisterStreams))]
    public void Recorded_register_request_and_response_round_trip(string name, int index)
    {
        var stream = RecordedControlExchanges.Streams()[index];
        Assert.Equal(name, stream.ToString());

        var request = ControlJson.ParseRegisterRequest(Encoding.UTF8.GetBytes(stream.RequestBody!));
        Assert.False(request.NodeKey.IsZero);
        AssertSame(stream.RequestBody!, ControlJson.Serialize(request));

        var response = ControlJson.ParseRegisterResponse(Encoding.UTF8.GetBytes(stream.ResponseBody!));
        Assert.True(response.MachineAuthorized);
        AssertSame(stream.ResponseBody!, ControlJson.Serialize(response));
    }

    [Theory]
    [MemberData(nameof(MapStreams))]
    public void Recorded_map_request_round_trips(string name, int index)
    {
        var stream = RecordedControlExchanges.Streams()[index];
        Assert.Equal(name, stream.ToString());

        var request = ControlJson.ParseMapRequest(Encoding.UTF8.GetBytes(stream.RequestBody!));
        Assert.True(request.WantsZstd);
        Assert.True(MapRequestValidator.TryValidate(request, out var error), error);
        AssertSame(stream.RequestBody!, ControlJson.Serialize(request));
    }

    [Theory]
    [MemberData(nameof(MapStreams))]
    public void Every_recorded_map_message_decodes_and_round_trips(string name, int index)
    {
        var stream = RecordedControlExchanges.Streams()[index];
        Assert.Equal(name, stream.ToString());
        var reader = new MapMessageReader(zstd: true);

        foreach (var message in stream.MapMessages)
        {
            var buffer = new ReadOnlySequence<byte>(message.Framed);
            Assert.True(reader.TryRead(ref buffer, out var json));
            Assert.Equal(0, buffer.Length);
            Assert.Equal(message.JsonText, Encoding.UTF8.GetString(json));

            var parsed = ControlJson.ParseMapResponse(json);
            Assert.Equal(message.KeepAlive, parsed.KeepAlive);
            AssertSame(message.JsonText, ControlJson.Serialize(parsed));
        }
    }

    [Fact]
    public void The_recordings_hold_both_sessions_with_map_messages()
    {
        var streams = RecordedControlExchanges.Streams();
        Assert.Equal(2, streams.Select(s => s.Session).Distinct().Count());
        Assert.Equal(30, streams.Sum(s => s.MapMessages.Count));
    }

    [Fact]
    public void Our_framing_of_every_recorded_message_decodes_to_the_same_json()
    {
        var reader = new MapMessageReader(zstd: true);
        foreach (var message in RecordedControlExchanges.Streams().SelectMany(s => s.MapMessages))
        {
            var framed = MapMessageWriter.Frame(Encoding.UTF8.GetBytes(message.JsonText), zstd: true);
            Assert.Equal(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, framed[4..8]);
            var buffer = new ReadOnlySequence<byte>(framed);
            Assert.True(reader.TryRead(ref buffer, out var json));
            Assert.Equal(message.JsonText, Encoding.UTF8.GetString(json));
        }
    }

    private static void AssertSame(string expected, byte[] actual)
    {
        var difference = JsonSemantics.FirstDifference(expected, Encoding.UTF8.GetString(actual));
        Assert.Null(difference);
    }

    private static TheoryData<string, int> Indexes(string path)
    {
        var data = new TheoryData<string, int>();
        var streams = RecordedControlExchanges.Streams();
        for (var i = 0; i < streams.Count; i++)
        {
            if (streams[i].Path == path && streams[i].RequestBody is not null)
            {
                data.Add(streams[i].ToString(), i);
            }
        }

        return data;
    }
}
