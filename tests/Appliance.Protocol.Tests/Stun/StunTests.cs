using System.Net;
using Appliance.Protocol.Stun;
using Appliance.TestKit.Derp;

namespace Appliance.Protocol.Tests.Stun;

public class StunTests
{
    public static TheoryData<int> Exchanges()
    {
        using var doc = RecordedDerp.LoadStun();
        var data = new TheoryData<int>();
        for (var i = 0; i < doc.RootElement.GetProperty("exchanges").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Exchanges))]
    public void A_recorded_client_request_is_accepted_and_our_answer_equals_derpers_byte_for_byte(int index)
    {
        using var doc = RecordedDerp.LoadStun();
        var exchange = doc.RootElement.GetProperty("exchanges")[index];
        var request = exchange.Hex("request");
        var client = IPEndPoint.Parse(exchange.GetProperty("client").GetString()!);
        var txid = new byte[12];

        Assert.Equal(StunParseResult.Ok, StunBindingRequest.TryParse(request, txid));
        Assert.Equal(request.AsSpan(8, 12).ToArray(), txid);

        var response = new byte[StunBindingResponse.MaxLength];
        Assert.True(StunBindingResponse.TryWrite(response, txid, client, out var written));
        Assert.Equal(exchange.Hex("response"), response[..written]);
    }

    [Theory]
    [MemberData(nameof(Exchanges))]
    public void Our_request_writer_reproduces_the_recorded_request_from_its_transaction_id(int index)
    {
        using var doc = RecordedDerp.LoadStun();
        var request = doc.RootElement.GetProperty("exchanges")[index].Hex("request");
        var written = new byte[StunBindingRequest.Length];
        Assert.True(StunBindingRequest.TryWrite(written, request.AsSpan(8, 12), out _));
        Assert.Equal(request, written);
    }

    [Theory]
    [InlineData("127.0.0.1", 50368)]
    [InlineData("203.0.113.9", 1)]
    [InlineData("::1", 41641)]
    [InlineData("2001:db8::1234:5678", 65535)]
    [InlineData("::ffff:192.0.2.1", 3478)]
    public void A_response_round_trips_its_mapped_address(string address, int port)
    {
        var txid = Enumerable.Range(1, 12).Select(i => (byte)i).ToArray();
        var endpoint = new IPEndPoint(IPAddress.Parse(address), port);
        var response = new byte[StunBindingResponse.MaxLength];
        Assert.True(StunBindingResponse.TryWrite(response, txid, endpoint, out var written));

        var parsedTxid = new byte[12];
        Assert.True(StunBindingResponse.TryParse(response.AsSpan(0, written), parsedTxid, out var mapped));
        Assert.Equal(txid, parsedTxid);
        var expected = endpoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endpoint.Address.MapToIPv4(), port) : endpoint;
        Assert.Equal(expected, mapped);
        Assert.Equal(expected.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 44, written);
    }

    [Fact]
    public void Every_truncation_of_a_request_is_refused()
    {
        var request = NewRequest();
        var txid = new byte[12];
        for (var length = 0; length < request.Length; length++)
        {
            Assert.NotEqual(StunParseResult.Ok, StunBindingRequest.TryParse(request.AsSpan(0, length), txid));
        }
    }

    [Fact]
    public void Every_single_tampered_byte_of_a_request_is_refused()
    {
        var request = NewRequest();
        var txid = new byte[12];
        for (var i = 0; i < request.Length; i++)
        {
            var tampered = (byte[])request.Clone();
            tampered[i] ^= 0x40;
            Assert.NotEqual(StunParseResult.Ok, StunBindingRequest.TryParse(tampered, txid));
        }
    }

    [Fact]
    public void Non_stun_datagrams_are_told_apart_from_bad_stun()
    {
        var txid = new byte[12];
        Assert.Equal(StunParseResult.NotStun, StunBindingRequest.TryParse("hello, this is not stun at all"u8, txid));

        var response = new byte[StunBindingResponse.MaxLength];
        Assert.True(StunBindingResponse.TryWrite(response, new byte[12], new IPEndPoint(IPAddress.Loopback, 1), out var n));
        Assert.Equal(StunParseResult.NotBindingRequest, StunBindingRequest.TryParse(response.AsSpan(0, n), txid));

        var request = NewRequest();
        request[24] = (byte)'T';
        // Fix the fingerprint so that only the SOFTWARE value is wrong.
        Assert.True(StunBindingRequest.TryWrite(request, request.AsSpan(8, 12), out _));
        request[24] = (byte)'T';
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(36), StunBindingRequest.Fingerprint(request.AsSpan(0, 32)));
        Assert.Equal(StunParseResult.WrongSoftware, StunBindingRequest.TryParse(request, txid));

        var noFingerprint = NewRequest()[..32];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(noFingerprint.AsSpan(2), 12);
        Assert.Equal(StunParseResult.NoFingerprint, StunBindingRequest.TryParse(noFingerprint, txid));
    }

    [Fact]
    public void Mutated_requests_and_responses_never_crash_the_parsers()
    {
        var random = new Random(3478);
        var seeds = new[] { NewRequest(), Response() };
        var txid = new byte[12];
        for (var iteration = 0; iteration < 5000; iteration++)
        {
            var input = (byte[])seeds[iteration % 2].Clone();
            if (random.Next(4) == 0)
            {
                input = input[..random.Next(input.Length)];
            }

            for (var m = random.Next(1, 5); m > 0 && input.Length > 0; m--)
            {
                input[random.Next(input.Length)] = (byte)random.Next(256);
            }

            _ = StunBindingRequest.TryParse(input, txid);
            _ = StunBindingResponse.TryParse(input, txid, out _);
        }
    }

    private static byte[] NewRequest()
    {
        var request = new byte[StunBindingRequest.Length];
        Assert.True(StunBindingRequest.TryWrite(request, Enumerable.Range(100, 12).Select(i => (byte)i).ToArray(), out _));
        return request;
    }

    private static byte[] Response()
    {
        var response = new byte[StunBindingResponse.MaxLength];
        Assert.True(StunBindingResponse.TryWrite(response, new byte[12], new IPEndPoint(IPAddress.IPv6Loopback, 9), out var n));
        return response[..n];
    }
}
