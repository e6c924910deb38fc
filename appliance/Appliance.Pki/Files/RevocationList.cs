namespace Appliance.Pki.Files;

/// <summary><c>ca/revoked</c>: one line per revoked serial (lowercase hex), then the revocation time.</summary>
public static class RevocationList
{
    public static IReadOnlySet<string> Read(string path)
    {
        if (!File.Exists(path))
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        return File.ReadAllLines(path)
            .Select(line => line.Split(' ', 2)[0].Trim().ToLowerInvariant())
            .Where(serial => serial.Length > 0)
            .ToHashSet(StringComparer.Ordinal);
    }
}
