namespace Appliance.Updates.Bundles;

/// <summary>
/// Entry names are checked before anything else about an entry: relative, '/'-separated segments of
/// [A-Za-z0-9][A-Za-z0-9._-]*, at most four deep. That refuses absolute paths, "..", ".", empty segments,
/// backslashes, drive letters and control characters by construction rather than by a list of bad cases.
/// </summary>
public static class BundlePath
{
    public static bool IsSafe(string name, out string reason)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            reason = "empty entry name";
            return false;
        }

        if (name[0] == '/' || name.Contains('\\', StringComparison.Ordinal) || (name.Length > 1 && name[1] == ':'))
        {
            reason = $"entry \"{Printable(name)}\" has an absolute path";
            return false;
        }

        var segments = name.Split('/');
        if (segments.Length > 4)
        {
            reason = $"entry \"{Printable(name)}\" is nested too deep";
            return false;
        }

        foreach (var segment in segments)
        {
            if (segment is ".." or ".")
            {
                reason = $"entry \"{Printable(name)}\" has a path traversal segment \"{segment}\"";
                return false;
            }

            if (segment.Length == 0 || !char.IsAsciiLetterOrDigit(segment[0])
                || !segment.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                reason = $"entry \"{Printable(name)}\" has a segment that is not [A-Za-z0-9][A-Za-z0-9._-]*";
                return false;
            }
        }

        reason = string.Empty;
        return true;
    }

    private static string Printable(string name) =>
        new(name.Select(c => char.IsControl(c) ? '?' : c).Take(64).ToArray());
}
