using System.CommandLine;
using Appliance.Cli;
using Appliance.TestKit;

namespace Appliance.Hosting.Tests.Cli;

/// <summary>
/// Issue 18's output contract over the whole command tree: every verb that prints a result takes
/// `-o table|json|json-line|yaml` (the one option CliOutput makes), and the verbs that do not are exactly those
/// docs/cli.md names under "Not covered", each for the reason it gives there.
/// </summary>
public sealed class EveryVerbOutputTests
{
    /// <summary>Verbs without the four formats, as docs/cli.md's "Not covered" lists them.</summary>
    private static readonly string[] NotCovered = ["serve", "ca export", "completion", "install", "uninstall", "audit export"];

    [Fact]
    public void Every_verb_but_the_documented_few_takes_the_four_output_formats()
    {
        var missing = Leaves(ApplianceCli.Build(), "")
            .Where(v => !v.Command.Options.OfType<Option<OutputFormat>>().Any(o => o.Name == CliOutput.OptionName && o.Aliases.Contains("-o")))
            .Select(v => v.Path)
            .ToList();

        // install and uninstall exist on Linux only, where the appliance runs and the tests run.
        Assert.Equal(NotCovered.Order(StringComparer.Ordinal), missing.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Docs_cli_md_names_each_verb_without_the_formats_and_says_why()
    {
        var paragraph = string.Join(' ', File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "docs", "cli.md"))
            .Split("\n\n").Single(p => p.StartsWith("Not covered:", StringComparison.Ordinal)).Split('\n'));
        Assert.All(NotCovered, verb => Assert.Contains($"`{verb}`", paragraph, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("table")]
    [InlineData("json")]
    [InlineData("json-line")]
    [InlineData("yaml")]
    public void Each_format_parses_on_every_verb_that_takes_the_option(string format)
    {
        var root = ApplianceCli.Build();
        foreach (var (path, command) in Leaves(root, ""))
        {
            var option = command.Options.OfType<Option<OutputFormat>>().SingleOrDefault(o => o.Name == CliOutput.OptionName);
            if (option is null)
            {
                continue;
            }

            var parse = root.Parse([.. path.Split(' '), "-o", format]);
            Assert.DoesNotContain(parse.Errors, e => e.Message.Contains("output format", StringComparison.Ordinal));
            Assert.Equal(CliOutput.Names[format], parse.GetValue(option));
        }
    }

    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string path)
    {
        foreach (var sub in command.Subcommands.Where(s => !s.Hidden))
        {
            var subPath = path.Length == 0 ? sub.Name : path + " " + sub.Name;
            if (sub.Subcommands.Count == 0)
            {
                yield return (subPath, sub);
            }
            else
            {
                foreach (var leaf in Leaves(sub, subPath))
                {
                    yield return leaf;
                }
            }
        }
    }
}
