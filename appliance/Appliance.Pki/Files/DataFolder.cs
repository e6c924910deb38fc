namespace Appliance.Pki.Files;

/// <summary>
/// The one place that decides which data folder a command uses: an explicit <c>--data-dir</c>, else the
/// <c>APPLIANCE_DATA_DIR</c> environment variable, else <c>./data</c>. The installer, the CLI and <c>serve</c> all
/// call this so they can never disagree about where the CA lives.
/// </summary>
public static class DataFolder
{
    public const string EnvironmentVariable = "APPLIANCE_DATA_DIR";
    public const string Default = "data";

    public static string Resolve(string? explicitPath) =>
        Resolve(explicitPath, Environment.GetEnvironmentVariable(EnvironmentVariable));

    public static string Resolve(string? explicitPath, string? environmentValue)
    {
        var chosen = !string.IsNullOrWhiteSpace(explicitPath) ? explicitPath
            : !string.IsNullOrWhiteSpace(environmentValue) ? environmentValue
            : Default;
        return Path.GetFullPath(chosen);
    }
}
