namespace Appliance.Hosting.Configuration;

/// <summary>The outcome of loading: the options (defaults where a value was bad), every problem, and the file used.</summary>
public sealed record ConfigLoadResult(ApplianceOptions Options, IReadOnlyList<ConfigProblem> Problems, string? SourceFile)
{
    public bool IsValid => Problems.Count == 0;

    public string SourceDescription => SourceFile ?? "embedded defaults (no config file)";
}
