using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Appliance.Cli;

/// <summary>
/// A command line that does not parse: the errors in words for people, "did you mean" for a mistyped verb or
/// option, then the usage of the subcommand that was being typed (not the root's), all on stderr; exit 2.
/// </summary>
public static partial class ParseErrors
{
    public static int Report(ParseResult parse, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(error);
        var command = parse.CommandResult.Command;
        // "Required command was not provided" only repeats what "Unrecognized command 'lst'" already says.
        var errors = parse.UnmatchedTokens.Count > 0 && parse.Errors.Count > 1
            ? parse.Errors.Where(e => !e.Message.StartsWith("Required command", StringComparison.Ordinal))
            : parse.Errors;
        foreach (var problem in errors)
        {
            error.WriteLine("error: " + Humanize(problem.Message));
        }

        foreach (var token in parse.UnmatchedTokens)
        {
            var candidates = Suggestions(token, command).ToList();
            if (candidates.Count > 0)
            {
                error.WriteLine($"Did you mean {string.Join(" or ", candidates.Select(c => $"'{c}'"))} instead of '{token}'?");
            }
        }

        error.WriteLine();
        WriteUsage(parse, error);
        return ExitCodes.Usage;
    }

    /// <summary>The names and aliases of <paramref name="command"/>'s verbs and options close to what was typed.</summary>
    public static IEnumerable<string> Suggestions(string typed, Command command)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(command);
        var names = command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)
            .Concat(typed.StartsWith('-') ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)) : []);
        return names
            .Select(name => (name, distance: Distance(typed.ToLowerInvariant(), name)))
            .Where(c => c.distance <= Math.Max(1, c.name.Length / 3) || (typed.Length >= 2 && c.name.StartsWith(typed, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(c => c.distance)
            .ThenBy(c => c.name, StringComparer.Ordinal)
            .Select(c => c.name)
            .Distinct()
            .Take(3);
    }

    /// <summary>
    /// System.CommandLine names .NET types in conversion errors ('System.Int64', 'Appliance.Cli.OutputFormat');
    /// operators need the kind of value instead.
    /// </summary>
    public static string Humanize(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return ExpectedType().Replace(message, m => "as " + (m.Groups["type"].Value switch
        {
            "System.Int64" or "System.Int32" or "System.UInt64" or "System.Int64?" or "System.Int32?" => "a whole number",
            "System.Boolean" => "true or false",
            "System.IO.FileInfo" => "a file path",
            "System.TimeSpan" => "a duration",
            _ => "a valid value",
        }) + ".");
    }

    private static void WriteUsage(ParseResult parse, TextWriter error)
    {
        var path = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as CommandResult)
        {
            if (result.Parent is not null)
            {
                path.Insert(0, result.Command.Name);
            }
        }

        var help = ApplianceCli.Build().Parse([.. path, "--help"]);
        help.Invoke(new InvocationConfiguration { Output = error, Error = error });
    }

    /// <summary>Optimal string alignment distance (Levenshtein with transpositions): "lst" → "list" is 1.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    [GeneratedRegex(@"as expected type '(?<type>[^']+)'\.?", RegexOptions.CultureInvariant)]
    private static partial Regex ExpectedType();
}
