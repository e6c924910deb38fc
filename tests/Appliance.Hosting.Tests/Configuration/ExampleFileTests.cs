using System.Text.RegularExpressions;
using Appliance.Hosting.Configuration;
using Appliance.TestKit;
using YamlDotNet.RepresentationModel;

namespace Appliance.Hosting.Tests.Configuration;

/// <summary>docs/appliance.example.yaml and docs/config.md must list exactly the keys of the options classes.</summary>
public partial class ExampleFileTests
{
    private static string ExamplePath => Path.Combine(RepoPaths.RepoRoot, "docs", "appliance.example.yaml");

    private static IEnumerable<string> KeysOfOptionsClasses() =>
        typeof(ApplianceOptions).GetProperties()
            .SelectMany(section => section.PropertyType.GetProperties()
                .Select(key => ConfigNaming.ToSnakeCase(section.Name) + "." + ConfigNaming.ToSnakeCase(key.Name)));

    [Fact]
    public void The_example_file_has_every_key_of_the_options_classes_and_no_other()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(ExamplePath)));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var exampleKeys = root.Children.SelectMany(section =>
            ((YamlMappingNode)section.Value).Children.Select(key => ((YamlScalarNode)section.Key).Value + "." + ((YamlScalarNode)key.Key).Value));

        Assert.Equal(KeysOfOptionsClasses().Order(StringComparer.Ordinal), exampleKeys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_example_file_is_valid_and_shows_the_embedded_defaults()
    {
        var result = ConfigLoader.Load(ExamplePath, new Dictionary<string, string>());
        Assert.True(result.IsValid, string.Join("\n", result.Problems));

        var defaults = new ApplianceOptions();
        foreach (var section in ConfigSchema.Sections)
        {
            foreach (var key in section.Keys)
            {
                Assert.True(
                    key.FormatValue(section.GetOptions(defaults)) == key.FormatValue(section.GetOptions(result.Options)),
                    $"{key.Path} in the example differs from the embedded default");
            }
        }
    }

    [Fact]
    public void The_schema_lists_the_same_keys_as_the_options_classes() =>
        Assert.Equal(KeysOfOptionsClasses().Order(StringComparer.Ordinal), ConfigSchema.AllKeys.Select(k => k.Path).Order(StringComparer.Ordinal));

    [Fact]
    public void Config_md_documents_every_key()
    {
        var doc = File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "docs", "config.md"));
        var documented = KeyPattern().Matches(doc).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

        var missing = KeysOfOptionsClasses().Where(k => !documented.Contains(k)).ToList();
        Assert.True(missing.Count == 0, "Not documented in docs/config.md: " + string.Join(", ", missing));
    }

    [GeneratedRegex(@"\|\s*`([a-z_0-9]+\.[a-z_0-9]+)`")]
    private static partial Regex KeyPattern();
}
