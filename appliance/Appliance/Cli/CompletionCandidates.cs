using System.CommandLine;

namespace Appliance.Cli;

/// <summary>
/// What may come next after the words typed so far: the verbs and options of the command reached, or the values of
/// the option just typed (its completion sources: -o formats, --format pem|der|pin). The last word is the one being
/// completed; only candidates that start with it are returned.
/// </summary>
public static class CompletionCandidates
{
    public static IReadOnlyList<string> For(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        var current = words.Count > 0 ? words[^1] : "";
        string[] done = [.. words.Take(Math.Max(0, words.Count - 1))];
        var parse = ApplianceCli.Build().Parse(done);
        var command = parse.CommandResult.Command;
        var options = OptionsIn(parse).ToList();
        IEnumerable<string> candidates;
        if (done.Length > 0 && options.FirstOrDefault(o => o.Name == done[^1] || o.Aliases.Contains(done[^1])) is { } option
            && option.ValueType != typeof(bool) && option.Arity.MaximumNumberOfValues > 0)
        {
            candidates = option.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty).Select(c => c.Label);
        }
        else
        {
            // Primary names only: aliases (ls, rm, node) would double every suggestion.
            candidates = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)
                .Concat(command.Arguments.SelectMany(a => a.GetCompletions(System.CommandLine.Completions.CompletionContext.Empty)).Select(c => c.Label))
                .Concat(current.StartsWith('-') ? options.Where(o => !o.Hidden).Select(o => o.Name) : []);
        }

        return [.. candidates.Where(c => c.StartsWith(current, StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal)];
    }

    /// <summary>The reached command's options and the recursive ones of its ancestors (-c/--config, --data-dir, --help).</summary>
    private static IEnumerable<Option> OptionsIn(ParseResult parse)
    {
        var first = true;
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            foreach (var option in result.Command.Options.Where(o => first || o.Recursive))
            {
                yield return option;
            }

            first = false;
        }
    }
}
