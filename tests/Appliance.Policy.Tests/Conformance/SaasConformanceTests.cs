using System.Text.RegularExpressions;
using Appliance.Conformance.Saas;
using Appliance.TestKit;

namespace Appliance.Policy.Tests.Conformance;

/// <summary>
/// Runs every captured Tailscale scenario. Each must pass unless docs/policy-compat.md lists it with a reason;
/// a listed scenario that now passes also fails the test, so the list stays true.
/// </summary>
public partial class SaasConformanceTests
{
    [GeneratedRegex(@"^\| `([^`]+)` \|", RegexOptions.Multiline)]
    private static partial Regex ListedScenario();

    [Fact]
    public void Every_saas_scenario_passes_except_the_listed_divergences()
    {
        var listed = ListedScenario().Matches(File.ReadAllText(Path.Combine(RepoPaths.RepoRoot, "docs", "policy-compat.md")))
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);
        var files = SaasScenarioLoader.FindFiles(RepoPaths.TailscaleSaas);
        Assert.True(files.Count >= 694, $"expected the 694 shared scenarios, found {files.Count}");

        var unexpected = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var scenario = SaasScenarioLoader.Load(file);
            seen.Add(scenario.Id);
            var diffs = SaasComparer.Run(scenario);
            if (diffs.Count > 0 && !listed.Contains(scenario.Id))
            {
                unexpected.Add($"{scenario.Id} fails: {diffs[0]}");
            }
            else if (diffs.Count == 0 && listed.Contains(scenario.Id))
            {
                unexpected.Add($"{scenario.Id} passes now: remove it from docs/policy-compat.md");
            }
        }

        unexpected.AddRange(listed.Where(id => !seen.Contains(id)).Select(id => $"{id} is listed but no such scenario exists"));
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
    }
}
