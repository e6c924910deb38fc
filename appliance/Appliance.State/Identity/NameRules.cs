using System.Text.RegularExpressions;

namespace Appliance.State.Identity;

/// <summary>
/// Syntax of operator-chosen names. Each check returns null when the value is fine, else the reason.
/// User names: 1-63 of a-z 0-9 . _ @ -, starting with a letter or digit (an e-mail-like login fits).
/// Tags: `tag:` then a letter, then letters, digits or dashes (tailscale tailcfg.CheckTag).
/// Node names: a DNS label (RFC 1123): 1-63 of a-z 0-9 -, not starting or ending with a dash; it becomes the
/// MagicDNS name, so it is stored lower-case.
/// </summary>
public static partial class NameRules
{
    public const int MaxLabelLength = 63;

    public static string? CheckUserName(string? name) => name switch
    {
        null or "" => "a user name is required",
        { Length: > MaxLabelLength } => $"a user name is at most {MaxLabelLength} characters",
        _ when !UserName().IsMatch(name) =>
            $"'{name}' is not a valid user name: use lower-case letters, digits and . _ @ -, starting with a letter or digit",
        _ => null,
    };

    public static string? CheckTag(string? tag) => tag switch
    {
        null or "" => "a tag is required",
        _ when !tag.StartsWith("tag:", StringComparison.Ordinal) => $"'{tag}' is not a tag: tags start with 'tag:'",
        _ when !Tag().IsMatch(tag) => $"'{tag}' is not a valid tag: after 'tag:' use a letter, then letters, digits or dashes",
        _ => null,
    };

    public static string? CheckNodeName(string? name) => name switch
    {
        null or "" => "a node name is required",
        { Length: > MaxLabelLength } => $"a node name is at most {MaxLabelLength} characters (a DNS label)",
        _ when !DnsLabel().IsMatch(name) =>
            $"'{name}' is not a valid node name: use lower-case letters, digits and dashes, not starting or ending with a dash",
        _ => null,
    };

    /// <summary>The first problem among the tags (also refusing duplicates), or null.</summary>
    public static string? CheckTags(IEnumerable<string> tags)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            if (CheckTag(tag) is { } problem)
            {
                return problem;
            }

            if (!seen.Add(tag))
            {
                return $"tag '{tag}' is listed twice";
            }
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex UserName();

    [GeneratedRegex("^tag:[A-Za-z][A-Za-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Tag();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();
}
