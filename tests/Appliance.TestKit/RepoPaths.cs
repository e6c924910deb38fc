namespace Appliance.TestKit;

/// <summary>
/// Finds the repository root (the folder holding Appliance.sln) and the golden data in ../shared/conformance,
/// which tests read in place and never copy. APPLIANCE_SHARED_DIR overrides the shared folder. A missing golden-data
/// folder or file fails with <see cref="GoldenDataMissingException"/>, which names it and the fix, instead of an I/O
/// stack trace from deep inside a test.
/// </summary>
public static class RepoPaths
{
    public const string SharedDirVariable = "APPLIANCE_SHARED_DIR";

    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepoRoot => Root.Value;

    public static string SharedDir =>
        Environment.GetEnvironmentVariable(SharedDirVariable) is { Length: > 0 } overridden
            ? overridden
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    public static string Conformance => Require(Path.Combine(SharedDir, "conformance"));

    public static string RealClient => Require(Path.Combine(Conformance, "real-client"));

    public static string TailscaleSaas => Require(Path.Combine(Conformance, "tailscale-saas"));

    /// <summary>A file or folder of the real-client recordings, such as <c>RealClientPath("noise", "session-1-node-a.json")</c>; checked to exist.</summary>
    public static string RealClientPath(params string[] parts) => Require(Path.Combine([RealClient, .. parts]));

    /// <summary>Returns <paramref name="path"/> if that golden-data file or folder exists, else throws <see cref="GoldenDataMissingException"/>.</summary>
    public static string Require(string path) =>
        File.Exists(path) || Directory.Exists(path) ? path : throw new GoldenDataMissingException(path, SharedDir);

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

/// <summary>The golden data a test reads is not where the tests look for it.</summary>
public sealed class GoldenDataMissingException : Exception
{
    public GoldenDataMissingException()
    {
    }

    public GoldenDataMissingException(string message)
        : base(message)
    {
    }

    public GoldenDataMissingException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public GoldenDataMissingException(string path, string sharedDir)
        : base(
            $"golden data missing: {path} does not exist. The tests read the shared conformance data in place from " +
            $"{sharedDir}/conformance (../shared beside the repository). Put the shared folder there, or set " +
            $"{RepoPaths.SharedDirVariable} to the folder that holds conformance/.")
    {
        Path = path;
    }

    public string? Path { get; }
}
