using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

/// <summary>
/// The updates root (default /var/lib/appliance/updates):
/// <code>
/// root.json                pinned root metadata (trust anchor; replaced only by a valid rotation)
/// state.json               current/previous release, applied content, and the in-progress step journal
/// history.json             what was applied, rolled back or recovered, newest last
/// releases/VERSION/        appliance (0755) and manifest.json of each staged release
/// current -> releases/V    the release systemd runs: ExecStart=/var/lib/appliance/updates/current/appliance
/// contents/VERSION/        applied content files (policy.hujson, identity.json, derp-map.json, ca-trust.pem)
/// content -> contents/V    the content the server reads
/// staging/                 scratch space for an import in progress; emptied by recovery
/// </code>
/// </summary>
public sealed class UpdatePaths
{
    public const string DefaultRoot = "/var/lib/appliance/updates";

    /// <param name="root">The updates root.</param>
    /// <param name="releases">Where releases are staged (config `updates.releases_dir`); default ROOT/releases.
    /// Must be on the same file system as the root, since staging moves folders by rename.</param>
    public UpdatePaths(string root, string? releases = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Releases = string.IsNullOrEmpty(releases) ? Path.Combine(Root, "releases") : Path.GetFullPath(releases);
    }

    public string Root { get; }

    public string RootMetadata => Path.Combine(Root, "root.json");

    public string State => Path.Combine(Root, "state.json");

    public string History => Path.Combine(Root, "history.json");

    public string Releases { get; }

    public string Current => Path.Combine(Root, "current");

    public string Contents => Path.Combine(Root, "contents");

    public string Content => Path.Combine(Root, "content");

    public string Staging => Path.Combine(Root, "staging");

    public string Release(ApplianceVersion version) => Path.Combine(Releases, version.ToString());

    public string ReleaseBinary(ApplianceVersion version) => Path.Combine(Release(version), "appliance");

    public string ContentVersionDir(ApplianceVersion version) => Path.Combine(Contents, version.ToString());

    /// <summary>Link targets are relative so the root can be moved or mounted elsewhere ("releases/1.2.0").</summary>
    public string ReleaseLinkTarget(ApplianceVersion version) => Path.GetRelativePath(Root, Release(version));

    public static string ContentLinkTarget(ApplianceVersion version) => "contents/" + version;
}
