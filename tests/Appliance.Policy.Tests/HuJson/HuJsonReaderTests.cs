using Appliance.Policy.HuJson;

namespace Appliance.Policy.Tests.HuJson;

public class HuJsonReaderTests
{
    private const string Sample = """
        // The tailnet policy.
        {
          /* groups of people */
          "groups": {
            "group:admins": ["alice@example.com",], // trailing comma
          },
          "acls": [
            {"action": "accept", "src": ["group:admins"], "dst": ["*:22"]},
          ],
          "n": -1.5e3,
          "t": true, "f": false, "z": null,
          "s": "a\"b\\c\u0041\n",
        }
        """;

    [Fact]
    public void Comments_and_trailing_commas_are_accepted_and_dropped()
    {
        var json = HuJsonReader.Standardize(Sample);

        Assert.Equal(
            """{"groups":{"group:admins":["alice@example.com"]},"acls":[{"action":"accept","src":["group:admins"],"dst":["*:22"]}],"n":-1.5e3,"t":true,"f":false,"z":null,"s":"a\"b\\cA\n"}""",
            json);
    }

    [Fact]
    public void Standard_json_round_trips_through_the_reader_unchanged()
    {
        var json = HuJsonReader.Standardize(Sample);

        Assert.Equal(json, HuJsonReader.Standardize(json));
        using var doc = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, doc.RootElement.ValueKind);
    }

    [Fact]
    public void Values_remember_the_line_and_column_they_start_at()
    {
        var root = HuJsonReader.Parse("{\n  \"a\": [1,\n    \"x\"]\n}");

        var a = root.Member("a")!;
        Assert.Equal(new HuJsonPosition(2, 3), a.Position);
        Assert.Equal(new HuJsonPosition(2, 8), a.Value.Position);
        Assert.Equal(new HuJsonPosition(3, 5), a.Value.Items[1].Position);
    }

    [Theory]
    [InlineData("{\n  \"a\": 1\n  \"b\": 2\n}", 3, 3)]
    [InlineData("{\"a\": tru}", 1, 7)]
    [InlineData("[1, 2,, 3]", 1, 7)]
    [InlineData("{\"a\": 1} x", 1, 10)]
    [InlineData("{\n\n  /* never closed", 3, 3)]
    [InlineData("{\"a\": \"line\nbreak\"}", 1, 12)]
    [InlineData("{\"a\": 01}", 1, 8)]
    [InlineData("{\"a\": 1, \"a\": 2}", 1, 10)]
    public void Malformed_input_is_rejected_with_its_line_and_column(string text, int line, int column)
    {
        var error = Assert.Throws<HuJsonException>(() => HuJsonReader.Parse(text));

        Assert.Equal(new HuJsonPosition(line, column), error.Position);
        Assert.StartsWith($"{line}:{column}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_incomplete_prefix_of_a_document_is_rejected_cleanly()
    {
        var text = Sample.TrimEnd();
        for (var length = 0; length < text.Length; length++)
        {
            var prefix = text[..length];
            var ok = HuJsonReader.TryParse(prefix, out var value, out var error);

            // Only a prefix that happens to end a complete value may parse; here none does before the final '}'.
            Assert.False(ok, $"prefix of length {length} parsed");
            Assert.Null(value);
            Assert.NotNull(error);
            Assert.True(error!.Position.Line >= 1 && error.Position.Column >= 1);
        }
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_rejected_instead_of_overflowing_the_stack()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);

        var error = Assert.Throws<HuJsonException>(() => HuJsonReader.Parse(deep));

        Assert.Contains("nesting deeper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unicode_escapes_and_non_ascii_text_are_decoded()
    {
        var root = HuJsonReader.Parse("{\"u\": \"\\u00e9t\\u00e9 \u0645\"}");

        Assert.Equal("été \u0645", root.Member("u")!.Value.Text);
    }
}
