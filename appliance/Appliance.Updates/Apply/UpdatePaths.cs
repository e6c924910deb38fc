using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

/// <summary>
/// The updates root (default /var/lib/appliance/updates):
/// <code>
/// root.json                pinned root metadata (trust anchor; replaced only by a valid rotation), unless the
///                          installed appliance pins it outside the data folder (rootMetadata, decision 0112)
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
    /// <param name="rootMetadata">Where the bundle-signing trust root is pinned when not ROOT/root.json: the installed
    /// appliance keeps it in root's own /usr/local/lib/appliance/root.json, out of the folder the service user owns
    /// (decision 0112). It is then read only from there, without following a link, and must be root's (or the reading
    /// user's) and writable by nobody else.</param>
    public UpdatePaths(string root, string? releases = null, string? rootMetadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Releases = string.IsNullOrEmpty(releases) ? Path.Combine(Root, "releases") : Path.GetFullPath(releases);
        RootMetadata = string.IsNullOrEmpty(rootMetadata) ? DataFolderRootMetadata : Path.GetFullPath(rootMetadata);
    }

    public string Root { get; }

    /// <summary>The pinned trust root bundles are verified against.</summary>
    public string RootMetadata { get; }

    /// <summary>True when <see cref="RootMetadata"/> is pinned outside the updates root (the installed appliance).</summary>
    public bool RootMetadataPinnedOutside => RootMetadata != DataFolderRootMetadata;

    /// <summary>ROOT/root.json: where releases before decision 0112's pin kept the trust root; migrated once, then ignored.</summary>
    public string DataFolderRootMetadata => Path.Combine(Root, "root.json");

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
