using System.Text.RegularExpressions;

namespace Appliance.Hosting.Tests.Docs;

/// <summary>
/// A shell block in README.md, docs/*.md or docs/ops/*.md marked runnable: the line before its ```sh fence is `&lt;!-- run --&gt;`.
/// Each command may end in a comment that states what must be true of it:
/// `# → TEXT` (TEXT appears in what it prints, stdout or stderr) and `# exit N` (it exits N; default 0).
/// Only `appliance` commands (or the README's `dotnet run --project appliance/Appliance --` spelling of them),
/// `VAR=$(appliance ...)` and `cat &gt; FILE &lt;&lt;'EOF'` heredocs may appear, so every line is executed.
/// </summary>
public sealed partial record RunnableBlock(string File, int Line, IReadOnlyList<DocCommand> Commands)
{
    public const string Marker = "<!-- run -->";

    public override string ToString() => $"{Path.GetFileName(File)}:{Line}";

    public static IEnumerable<RunnableBlock> In(string file)
    {
        var lines = System.IO.File.ReadAllLines(file);
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].Trim() != Marker)
            {
                continue;
            }

            if (!lines[i + 1].TrimStart().StartsWith("```sh", StringComparison.Ordinal) && !lines[i + 1].TrimStart().StartsWith("```bash", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{file}:{i + 1}: {Marker} must be followed by a ```sh block");
            }

            var body = new List<(int Line, string Text)>();
            var j = i + 2;
            for (; j < lines.Length && !lines[j].TrimStart().StartsWith("```", StringComparison.Ordinal); j++)
            {
                body.Add((j + 1, lines[j]));
            }

            yield return new RunnableBlock(file, i + 2, Parse(file, body));
            i = j;
        }
    }

    private static List<DocCommand> Parse(string file, List<(int Line, string Text)> body)
    {
        var commands = new List<DocCommand>();
        for (var k = 0; k < body.Count; k++)
        {
            var (line, text) = body[k];
            var trimmed = text.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var heredoc = Heredoc().Match(trimmed);
            if (heredoc.Success)
            {
                var content = new List<string>();
                for (k++; k < body.Count && body[k].Text.Trim() != heredoc.Groups["end"].Value; k++)
                {
                    content.Add(body[k].Text);
                }

                commands.Add(new DocCommand(line, trimmed + "\n" + string.Join('\n', content) + "\n" + heredoc.Groups["end"].Value, 0, [], IsFile: true));
                continue;
            }

            var (command, comment) = SplitComment(trimmed);
            command = command.Replace("dotnet run --project appliance/Appliance -- ", "appliance ", StringComparison.Ordinal).Trim();
            var program = Assignment().Match(command) is { Success: true } m ? m.Groups["cmd"].Value : command;
            if (!program.StartsWith("appliance ", StringComparison.Ordinal) && program != "appliance")
            {
                throw new InvalidDataException($"{file}:{line}: a runnable block may hold only appliance commands, got: {command}");
            }

            var exit = ExitComment().Match(comment) is { Success: true } e ? int.Parse(e.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var expected = Expectation().Matches(comment).Select(x => x.Groups["text"].Value.Trim()).ToList();
            commands.Add(new DocCommand(line, command, exit, expected, IsFile: false));
        }

        return commands;
    }

    /// <summary>Splits `cmd  # comment` at the first # that starts a word outside quotes.</summary>
    private static (string Command, string Comment) SplitComment(string line)
    {
        var quote = '\0';
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return (line[..i], line[(i + 1)..]);
            }
        }

        return (line, "");
    }

    [GeneratedRegex(@"^cat\s+>\s*\S+\s+<<\s*'?(?<end>[A-Z]+)'?$")]
    private static partial Regex Heredoc();

    [GeneratedRegex(@"^[A-Z_][A-Z0-9_]*=\$\((?<cmd>.*)\)$")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"\bexit (?<code>\d+)")]
    private static partial Regex ExitComment();

    [GeneratedRegex(@"→(?<text>[^→]+)")]
    private static partial Regex Expectation();
}

/// <summary>One line of a runnable block (or one heredoc that writes a file).</summary>
public sealed record DocCommand(int Line, string Text, int ExpectedExit, IReadOnlyList<string> Expected, bool IsFile);
