using System.Text.RegularExpressions;
using Appliance.Hosting.Configuration;
using Appliance.TestKit;
using YamlDotNet.RepresentationModel;

namespace Appliance.Hosting.Tests.Docs;

/// <summary>
/// Every configuration key the guides name exists in the schema: `section.key` in backticks, keys in ```yaml
/// blocks, and APPLIANCE_&lt;SECTION&gt;_&lt;KEY&gt; variables, in README.md, every docs/*.md and docs/ops/*.md (config.md and the
/// example file have their own, stricter tests in Configuration/ExampleFileTests).
/// </summary>
public sealed partial class DocumentedConfigKeysTests
{
    private static readonly HashSet<string> Keys = ConfigSchema.AllKeys.Select(k => k.Path).ToHashSet(StringComparer.Ordinal);

    private static readonly HashSet<string> Sections = ConfigSchema.Sections.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>File names that look like keys (`policy.hujson`, `policy.md`).</summary>
    private static readonly HashSet<string> FileExtensions = ["md", "hujson", "json", "yaml", "yml", "pem", "db", "service", "cer", "key"];

    /// <summary>Audit action names (docs/ops/audit.md) that have the shape of a key; `policy.reload` is both.</summary>
    private static readonly HashSet<string> AuditActions = ["policy.set", "backup.create", "backup.verify", "backup.restore", "audit.torn"];

    public static TheoryData<string> Documents => new(ExecutedDocsTests.DocumentPaths().Select(p => Path.GetRelativePath(RepoPaths.RepoRoot, p)));

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_key_a_document_names_exists(string relativePath)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, relativePath));
        var unknown = new List<string>();
        foreach (Match m in DottedKey().Matches(text))
        {
            var (section, key) = (m.Groups["section"].Value, m.Groups["key"].Value);
            if (Sections.Contains(section) && !FileExtensions.Contains(key) && !Keys.Contains(section + "." + key) && !AuditActions.Contains(section + "." + key))
            {
                unknown.Add($"`{section}.{key}`");
            }
        }

        foreach (Match m in EnvironmentVariable().Matches(text))
        {
            var rest = m.Groups["rest"].Value.ToLowerInvariant();
            var section = Sections.FirstOrDefault(s => rest.StartsWith(s + "_", StringComparison.Ordinal));
            if (section is not null && !Keys.Contains(section + "." + rest[(section.Length + 1)..]))
            {
                unknown.Add(m.Value);
            }
        }

        foreach (var block in YamlBlocks(text))
        {
            unknown.AddRange(UnknownKeysIn(block));
        }

        Assert.True(unknown.Count == 0, $"{relativePath} names keys the configuration does not have: {string.Join(", ", unknown.Distinct())}");
    }

    [Fact]
    public void The_checker_notices_an_old_or_misspelt_key()
    {
        Assert.Contains("updates.health_timeuot", UnknownKeysIn("updates:\n  health_timeuot: 10s\n").Single(), StringComparison.Ordinal);
        Assert.Matches(DottedKey(), "`derp.stun_listen: 0.0.0.0:3478`");
        Assert.DoesNotContain(Keys, k => k == "dns.basedomain");
    }

    private static IEnumerable<string> YamlBlocks(string markdown) =>
        YamlFence().Matches(markdown).Select(m => m.Groups["body"].Value);

    private static IEnumerable<string> UnknownKeysIn(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            yield break;
        }

        foreach (var (sectionNode, body) in root.Children)
        {
            var section = ((YamlScalarNode)sectionNode).Value!;
            if (!Sections.Contains(section) || body is not YamlMappingNode keys)
            {
                continue;
            }

            foreach (var keyNode in keys.Children.Keys)
            {
                var path = section + "." + ((YamlScalarNode)keyNode).Value;
                if (!Keys.Contains(path))
                {
                    yield return path;
                }
            }
        }
    }

    [GeneratedRegex(@"`(?<section>[a-z]+)\.(?<key>[a-z_0-9]+)(?![a-z_0-9.\[(])")]
    private static partial Regex DottedKey();

    [GeneratedRegex(@"\bAPPLIANCE_(?<rest>[A-Z0-9_]+)")]
    private static partial Regex EnvironmentVariable();

    [GeneratedRegex(@"```yaml\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlFence();
}
