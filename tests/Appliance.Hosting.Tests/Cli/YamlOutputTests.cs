using System.Text.Json;
using System.Text.Json.Nodes;
using Appliance.Cli;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>`-o yaml` reads back as the same values, with strings that look like other types kept as strings.</summary>
public sealed class YamlOutputTests
{
    [Theory]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("yes")]
    [InlineData("1.5")]
    [InlineData("0x1F")]
    [InlineData("12:30")]
    [InlineData("2026-01-01")]
    [InlineData("")]
    [InlineData("- not a list")]
    [InlineData("key: value")]
    [InlineData("# not a comment")]
    [InlineData("line one\nline two")]
    [InlineData("  leading spaces")]
    [InlineData("tag:web")]
    [InlineData("\"quoted\" & <b>")]
    public void A_string_reads_back_as_the_same_string(string text)
    {
        var (value, style) = RoundTrip(text);

        Assert.Equal(text, value);
        if (text is "true" or "null" or "~" or "yes" or "1.5" or "0x1F" or "12:30" or "2026-01-01" or "")
        {
            Assert.NotEqual(ScalarStyle.Plain, style);
        }
    }

    [Fact]
    public void Random_strings_read_back_unchanged()
    {
        var random = new Random(18);
        const string alphabet = "abc XYZ019:-#&*!|>'\"%@`{}[],?\n\t\\é€";
        for (var i = 0; i < 2000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 12)).Select(_ => alphabet[random.Next(alphabet.Length)])]);
            Assert.Equal(text, RoundTrip(text).Value);
        }
    }

    [Fact]
    public void Numbers_booleans_and_null_stay_plain_and_empty_collections_are_flow()
    {
        using var output = new StringWriter();
        var json = new JsonObject { ["count"] = 3, ["ratio"] = 1.5, ["ok"] = false, ["none"] = null, ["list"] = new JsonArray(), ["map"] = new JsonObject(), ["n"] = "y" };

        YamlOutput.Write(JsonSerializer.SerializeToElement(json), output);

        // `n` and `y` are booleans to YAML 1.1 readers (PyYAML), so even as a key and a value they are quoted.
        Assert.Equal("count: 3\nratio: 1.5\nok: false\nnone: null\nlist: []\nmap: {}\n\"n\": \"y\"\n", output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    private static (string Value, ScalarStyle Style) RoundTrip(string text)
    {
        using var output = new StringWriter();
        YamlOutput.Write(JsonSerializer.SerializeToElement(new JsonObject { ["v"] = text }), output);
        var stream = new YamlStream();
        stream.Load(new StringReader(output.ToString()));
        var scalar = (YamlScalarNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("v")];
        return (scalar.Value!, scalar.Style);
    }
}
