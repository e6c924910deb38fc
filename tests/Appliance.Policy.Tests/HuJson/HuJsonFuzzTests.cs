using Appliance.Policy.HuJson;
using Appliance.Policy.Model;

namespace Appliance.Policy.Tests.HuJson;

/// <summary>
/// Seeded random mutations of a real policy: the reader and the policy parser must either accept the text or
/// reject it with a positioned error, never throw anything else or hang.
/// </summary>
public class HuJsonFuzzTests
{
    private const string Seed = """
        {
          // comment
          "groups": {"group:eng": ["alice@example.com", "bob@example.com",]},
          "tagOwners": {"tag:web": ["group:eng"], "tag:db": ["autogroup:admin"]},
          "hosts": {"corp": "10.0.0.0/8", "box": "100.64.0.1"},
          "acls": [
            {"action": "accept", "src": ["group:eng", "*"], "dst": ["tag:web:80,443", "corp:*", "[fd7a::1]:22"], "proto": "tcp"},
            /* block */ {"action": "accept", "src": ["autogroup:member"], "dst": ["autogroup:self:*"]},
          ],
          "grants": [{"src": ["*"], "dst": ["tag:db"], "ip": ["tcp:5432"], "app": {"example.com/cap/x": [{"a": 1}]}}],
          "ssh": [{"action": "check", "src": ["autogroup:member"], "dst": ["autogroup:self"], "users": ["root", "autogroup:nonroot"], "checkPeriod": "1h"}],
          "nodeAttrs": [{"target": ["*"], "attr": ["randomize-client-port"]}],
          "autoApprovers": {"routes": {"10.0.0.0/8": ["tag:web"]}, "exitNode": ["tag:web"]},
          "tests": [{"src": "alice@example.com", "accept": ["tag:web:80"]}],
        }
        """;

    private static readonly string[] Tokens = ["{", "}", "[", "]", ",", ":", "\"", "/*", "*/", "//", "\n", "\\", "\\u12", "-", "0", "1e", "null", "tru", "*", "@", "tag:", "group:", "autogroup:", "/33", "65536", "\u0000", "\uFFFF"];

    [Fact]
    [Trait("Category", "Fuzz")]
    public void Random_mutations_are_accepted_or_rejected_with_a_position()
    {
        var random = new Random(20261125);
        for (var i = 0; i < 4000; i++)
        {
            var text = Mutate(Seed, random);
            try
            {
                if (HuJsonReader.TryParse(text, out var value, out var error))
                {
                    Assert.NotNull(value);
                }
                else
                {
                    Assert.True(error!.Position.Line >= 1, $"case {i}: error without a line");
                }

                var parsed = PolicyParser.Parse(text);
                Assert.True(parsed.Success || parsed.Errors.Count > 0, $"case {i}: neither a document nor errors");
                Assert.All(parsed.Errors, e => Assert.True(e.Position.Line >= 0));
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"case {i} threw {e.GetType().Name}: {e.Message}\n{text}");
            }
        }
    }

    [Fact]
    public void A_lone_backslash_u_at_the_end_of_a_string_is_a_positioned_error()
    {
        // Regression shape found while writing the fuzzer: an escape cut short must not read past the end.
        var error = Assert.Throws<HuJsonException>(() => HuJsonReader.Parse("{\"a\": \"\\u12"));

        Assert.Equal(1, error.Position.Line);
    }

    private static string Mutate(string text, Random random)
    {
        var chars = text.ToCharArray().ToList();
        var edits = random.Next(1, 6);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(chars.Count + 1);
            switch (random.Next(4))
            {
                case 0 when chars.Count > 0:
                    chars.RemoveRange(Math.Min(at, chars.Count - 1), Math.Min(random.Next(1, 8), chars.Count - Math.Min(at, chars.Count - 1)));
                    break;
                case 1:
                    chars.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                case 2 when at < chars.Count:
                    chars[at] = (char)random.Next(0x20, 0x7f);
                    break;
                default:
                    chars = chars.Take(at).ToList();
                    break;
            }
        }

        return new string(chars.ToArray());
    }
}
