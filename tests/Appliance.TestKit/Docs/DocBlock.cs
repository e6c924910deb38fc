namespace Appliance.TestKit.Docs;

/// <summary>
/// A fenced block of README.md or docs/**/*.md with the HTML comment on the line before its fence (empty when there is
/// none): what the docs-marker test checks and what the tests that run documented commands read, so a command a test
/// runs is the command the guide shows.
/// </summary>
/// <param name="File">The Markdown file, relative to the repository (forward slashes).</param>
/// <param name="Line">1-based line of the opening fence.</param>
/// <param name="Language">The fence's info string: sh, bash, yaml, ...</param>
/// <param name="Marker">The text inside the `&lt;!-- ... --&gt;` comment on the line before the fence, trimmed; "" when there is none.</param>
/// <param name="Lines">The lines between the fences.</param>
public sealed record DocBlock(string File, int Line, string Language, string Marker, IReadOnlyList<string> Lines)
{
    public bool IsShell => Language is "sh" or "bash" or "shell" or "console";

    /// <summary>The block's commands: its lines without blank lines and whole-line comments, trailing comments kept.</summary>
    public IEnumerable<string> Commands => Lines.Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'));

    public override string ToString() => $"{File}:{Line}";
}
