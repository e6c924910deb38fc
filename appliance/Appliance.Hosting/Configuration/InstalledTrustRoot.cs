namespace Appliance.Hosting.Configuration;

/// <summary>
/// Where the installed appliance pins the bundle-signing trust root (decision 0112): root's own
/// /usr/local/lib/appliance/root.json, beside root's copies of the release, not updates/root.json in the data folder,
/// which the service user owns and can swap (it can rename any folder there, a root-owned one too). The CLI, the
/// installer and the admin console all ask here, so they agree on the one file bundles are verified against.
/// </summary>
public static class InstalledTrustRoot
{
    public const string PinnedFile = InstalledLayout.CommandLibrary + "/root.json";

    /// <summary>The installed updates root (/var/lib/appliance/updates) is verified against <see cref="PinnedFile"/>; any other (a development data folder, tests) keeps ROOT/root.json (null).</summary>
    public static string? For(string updatesRoot) =>
        OperatingSystem.IsLinux() && string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(updatesRoot)), InstalledLayout.DataDir + "/updates", StringComparison.Ordinal)
            ? PinnedFile
            : null;
}
