namespace Appliance.Hosting.Content;

/// <summary>
/// The content an offline update bundle applied (docs/operator-guide-updates.md): the updater switches the
/// <c>&lt;data_dir&gt;/updates/content</c> link to <c>contents/VERSION</c>; the server reads the files through the link.
/// The folder mirrors Appliance.Updates' UpdatePaths.Content (the server does not reference the updater).
/// </summary>
public sealed class UpdateContentFiles
{
    private UpdateContentFiles(string folder) => Folder = Path.GetFullPath(folder);

    /// <summary>The applied content of the server whose data folder is <paramref name="dataDir"/>.</summary>
    public static UpdateContentFiles ForDataDir(string dataDir)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDir);
        return new(Path.Combine(dataDir, "updates", "content"));
    }

    /// <summary>A folder not behind the link yet (the updater validates a staged folder before switching to it).</summary>
    public static UpdateContentFiles InFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        return new(folder);
    }

    public string Folder { get; }

    /// <summary>Extra DERP regions, JSON as `tailscale debug derp-map` prints it.</summary>
    public string DerpMap => Path.Combine(Folder, "derp-map.json");

    /// <summary>Users to create or update (<see cref="IdentityFile"/>).</summary>
    public string Identity => Path.Combine(Folder, "identity.json");

    /// <summary>
    /// A whole identity file (docs/identity.md) that replaces identity.file once it validates: people it no longer
    /// lists lose their login, as when the file is edited on the appliance.
    /// </summary>
    public string IdentityFile => Path.Combine(Folder, "identity.hujson");

    /// <summary>Extra root certificates for <c>appliance ca export</c> (<see cref="CaTrustFile"/>).</summary>
    public string CaTrust => Path.Combine(Folder, "ca-trust.pem");

    /// <summary>The policy; read by the policy area, not here.</summary>
    public string Policy => Path.Combine(Folder, "policy.hujson");
}
