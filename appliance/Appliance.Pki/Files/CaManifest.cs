using System.Globalization;
using System.Text;
using Appliance.Pki.Authority;

namespace Appliance.Pki.Files;

/// <summary>
/// <c>ca/manifest</c>: a few <c>key=value</c> lines. The mode is recorded rather than guessed from the presence of
/// <c>root.key</c>, so a deleted root key in embedded mode is reported as missing instead of silently turning the
/// CA into offline-root mode.
/// <code>
/// mode=embedded | offline-root
/// created=2026-11-25T20:00:00.0000000+00:00
/// retired-root=&lt;sha256 hex&gt; &lt;overlap end, ISO 8601&gt;     (zero or more)
/// </code>
/// </summary>
public sealed record CaManifest(CaMode Mode, DateTimeOffset Created, IReadOnlyList<RetiredRoot> RetiredRoots)
{
    public string Format()
    {
        var text = new StringBuilder();
        text.Append("mode=").Append(Mode == CaMode.Embedded ? "embedded" : "offline-root").Append('\n');
        text.Append("created=").Append(Created.ToString("O", CultureInfo.InvariantCulture)).Append('\n');
        foreach (var retired in RetiredRoots)
        {
            text.Append("retired-root=").Append(retired.Sha256).Append(' ')
                .Append(retired.OverlapEnds.ToString("O", CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    public static CaManifest Read(string path)
    {
        SecureFile.RequireExists(path, "CA manifest");
        CaMode? mode = null;
        DateTimeOffset? created = null;
        var retired = new List<RetiredRoot>();
        var lineNumber = 0;
        foreach (var raw in File.ReadAllLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? line : line[..equals];
            var value = equals < 0 ? string.Empty : line[(equals + 1)..];
            switch (key)
            {
                case "mode" when value == "embedded":
                    mode = CaMode.Embedded;
                    break;
                case "mode" when value == "offline-root":
                    mode = CaMode.OfflineRoot;
                    break;
                case "created" when DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at):
                    created = at;
                    break;
                case "retired-root" when RetiredRoot.TryParse(value, out var root):
                    retired.Add(root);
                    break;
                default:
                    throw new CaException(CaErrorKind.CorruptFile, $"{path} line {lineNumber} is not understood: '{line}'.");
            }
        }

        if (mode is null || created is null)
        {
            throw new CaException(CaErrorKind.CorruptFile, $"{path} lacks its mode or created line.");
        }

        return new CaManifest(mode.Value, created.Value, retired);
    }
}

/// <summary>A replaced root that stays in the trust bundle until <see cref="OverlapEnds"/>.</summary>
public sealed record RetiredRoot(string Sha256, DateTimeOffset OverlapEnds)
{
    public string FileName => "retired-root-" + Sha256[..16] + ".crt";

    public static bool TryParse(string value, out RetiredRoot root)
    {
        root = null!;
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || parts[0].Length != 64 || !parts[0].All(char.IsAsciiHexDigitLower) ||
            !DateTimeOffset.TryParse(parts[1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var ends))
        {
            return false;
        }

        root = new RetiredRoot(parts[0], ends);
        return true;
    }
}
