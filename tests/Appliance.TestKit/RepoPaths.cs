namespace Appliance.TestKit;

/// <summary>
/// Finds the repository root (the folder holding Appliance.sln) and the golden data in ../shared/conformance,
/// which tests read in place and never copy. APPLIANCE_SHARED_DIR overrides the shared folder.
/// </summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepoRoot => Root.Value;

    public static string SharedDir =>
        Environment.GetEnvironmentVariable("APPLIANCE_SHARED_DIR") is { Length: > 0 } overridden
            ? overridden
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string Conformance => Path.Combine(SharedDir, "conformance");

    public static string RealClient => Path.Combine(Conformance, "real-client");

    public static string TailscaleSaas => Path.Combine(Conformance, "tailscale-saas");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Appliance.sln not found above " + AppContext.BaseDirectory);
    }
}
