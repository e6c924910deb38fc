using System.Text;
using Appliance.Protocol.Control;
using Appliance.TestKit.Control;

namespace Appliance.Control.Tests.Protocol;

public sealed class ControlJsonHostileInputTests
{
    private static string RecordedMapRequest =>
        RecordedControlExchanges.Streams().First(s => s.Path == "/machine/map" && s.RequestBody!.Contains("\"Stream\":true", StringComparison.Ordinal)).RequestBody!;

    [Theory]
    [InlineData("nodekey:1234")]
    [InlineData("593683a50fb67efb1335252008e8807bea015523debddb8a05113938275f2d28")]
    [InlineData("")]
    [InlineData("mkey:593683a50fb67efb1335252008e8807bea015523debddb8a05113938275f2d28")]
    public void An_invalid_node_key_fails_the_whole_request(string key)
    {
        var body = "{\"Version\":133,\"NodeKey\":\"" + key + "\"}";
        Assert.Throws<ControlProtocolException>(() => ControlJson.ParseMapRequest(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void A_body_over_the_request_limit_is_refused_before_parsing()
    {
        var body = "{\"Hostinfo\":{\"Hostname\":\"" + new string('x', ControlJson.MaxRequestBytes) + "\"}}";
        var error = Assert.Throws<ControlProtocolException>(() => ControlJson.ParseMapRequest(Encoding.UTF8.GetBytes(body)));
        Assert.Contains("limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_fails_cleanly()
    {
        var body = "{\"Hostinfo\":{\"Unknown\":" + new string('[', 5000) + new string(']', 5000) + "}}";
        Assert.Throws<ControlProtocolException>(() => ControlJson.ParseMapRequest(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void A_huge_hostname_that_parses_is_rejected_by_the_validator()
    {
        var body = RecordedMapRequest.Replace("\"Hostname\":\"node-a\"", "\"Hostname\":\"" + new string('h', 10_000) + "\"", StringComparison.Ordinal);
        var request = ControlJson.ParseMapRequest(Encoding.UTF8.GetBytes(body));
        Assert.False(MapRequestValidator.TryValidate(request, out var error));
        Assert.Contains("Hostname", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Large_unknown_hostinfo_fields_are_rejected_by_the_validator()
    {
        var body = RecordedMapRequest.Replace("\"OS\":\"linux\"", "\"OS\":\"linux\",\"Junk\":\"" + new string('j', 20_000) + "\"", StringComparison.Ordinal);
        var request = ControlJson.ParseMapRequest(Encoding.UTF8.GetBytes(body));
        Assert.False(MapRequestValidator.TryValidate(request, out _));
    }

    [Theory]
    [InlineData("\"Endpoints\":[\"not-an-endpoint\"]")]
    [InlineData("\"Endpoints\":[\"1.2.3.4:0\"]")]
    [InlineData("\"Endpoints\":[\"1.2.3.4:5\"],\"EndpointTypes\":[1,2]")]
    public void Bad_endpoints_are_rejected_by_the_validator(string fragment)
    {
        var body = RecordedMapRequest.Replace("\"Stream\":true", "\"Stream\":true," + fragment, StringComparison.Ordinal);
        var request = ControlJson.ParseMapRequest(Encoding.UTF8.GetBytes(body));
        Assert.False(MapRequestValidator.TryValidate(request, out _));
    }

    [Fact]
    public void Unknown_hostinfo_fields_survive_a_round_trip()
    {
        var body = RecordedMapRequest.Replace("\"OS\":\"linux\"", "\"OS\":\"linux\",\"FutureField\":{\"a\":[1,2]}", StringComparison.Ordinal);
        var request = ControlJson.ParseMapRequest(Encoding.UTF8.GetBytes(body));
        Assert.Null(JsonSemantics.FirstDifference(body, Encoding.UTF8.GetString(ControlJson.Serialize(request))));
    }

    /// <summary>Found by the fuzz test: JSON null inside lists the types declare non-null.</summary>
    [Theory]
    [InlineData("\"Hostinfo\":{\"Services\":[null]}")]
    [InlineData("\"Hostinfo\":{\"Services\":[{\"Proto\":null}]}")]
    [InlineData("\"Hostinfo\":{\"RequestTags\":[null]}")]
    [InlineData("\"Hostinfo\":{\"RoutableIPs\":[null]}")]
    [InlineData("\"Endpoints\":[null]")]
    [InlineData("\"DebugFlags\":[null]")]
    public void Regression_null_list_entries_are_rejected_not_crashing(string fragment)
    {
        var body = "{\"Version\":133,\"NodeKey\":\"nodekey:593683a50fb67efb1335252008e8807bea015523debddb8a05113938275f2d28\"," + fragment + "}";
        var request = ControlJson.ParseMapRequest(Encoding.UTF8.GetBytes(body));
        Assert.False(MapRequestValidator.TryValidate(request, out _));
    }

    [Fact]
    public void Regression_invalid_utf8_inside_an_unknown_hostinfo_field_is_refused()
    {
        byte[] body = [.. "{\"NodeKey\":\"nodekey:593683a50fb67efb1335252008e8807bea015523debddb8a05113938275f2d28\",\"Hostinfo\":{\"X\":\""u8, 0xE5, 0x22, .. "}}"u8];
        Assert.Throws<ControlProtocolException>(() => ControlJson.ParseMapRequest(body));
    }

    [Fact]
    public void Fuzzed_map_requests_parse_or_fail_with_a_protocol_error()
    {
        var seeds = RecordedControlExchanges.Streams().Where(s => s.Path == "/machine/map").Select(s => Encoding.UTF8.GetBytes(s.RequestBody!)).ToArray();
        var random = new Random(7);
        var parsed = 0;
        for (var i = 0; i < 5000; i++)
        {
            var input = Fuzz.Mutate(seeds[random.Next(seeds.Length)], random);
            try
            {
                var request = ControlJson.ParseMapRequest(input);
                MapRequestValidator.TryValidate(request, out _);
                parsed++;
            }
            catch (ControlProtocolException)
            {
            }
        }

        Assert.InRange(parsed, 1, 4999);
    }

    [Fact]
    public void Times_are_written_in_utc_with_z_and_go_zero_time_survives()
    {
        var request = ControlJson.ParseRegisterRequest("{\"NodeKey\":\"nodekey:593683a50fb67efb1335252008e8807bea015523debddb8a05113938275f2d28\",\"Expiry\":\"0001-01-01T00:00:00Z\"}"u8);
        Assert.Equal(default, request.Expiry);
        Assert.Contains("\"Expiry\":\"0001-01-01T00:00:00Z\"", Encoding.UTF8.GetString(ControlJson.Serialize(request)), StringComparison.Ordinal);
        Assert.Equal("2026-11-25T17:00:00.5Z", GoTimeJsonConverter.Format(new DateTimeOffset(2026, 11, 25, 19, 0, 0, 500, TimeSpan.FromHours(2))));
    }

    [Fact]
    public void Zero_optional_keys_are_omitted_and_numeric_map_keys_are_strings()
    {
        var json = Encoding.UTF8.GetString(ControlJson.Serialize(new MapResponse
        {
            Node = new Node { ID = 1, StableID = "1", Name = "a.ts.", Addresses = [] },
            OnlineChange = new Dictionary<long, bool> { [7] = true },
        }));
        Assert.DoesNotContain("DiscoKey", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Machine\"", json, StringComparison.Ordinal);
        Assert.Contains("\"OnlineChange\":{\"7\":true}", json, StringComparison.Ordinal);
    }
}
