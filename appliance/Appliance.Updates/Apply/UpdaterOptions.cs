using System.Runtime.InteropServices;
using Appliance.Updates.Bundles;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

/// <summary>Settings for <see cref="Updater"/>; the config section is `updates:` (see docs/operator-guide-updates.md).</summary>
public sealed record UpdaterOptions
{
    /// <summary>How long a restarted release has to become ready before it is rolled back. Default 120 s; 5 s..1 h.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>The binary role for this machine; default from the process architecture.</summary>
    public string? BinaryRole { get; init; } = PayloadRole.BinaryFor(RuntimeInformation.ProcessArchitecture);

    /// <summary>The version to assume when state.json and the current link say nothing (first run after install).</summary>
    public ApplianceVersion? InstalledVersion { get; init; }

    /// <summary>How many release and content versions stay on disk after a successful switch (config `updates.keep_versions`); at least 2, default 3.</summary>
    public int KeepVersions { get; init; } = 3;

    public BundleLimits Limits { get; init; } = BundleLimits.Default;

    /// <summary>
    /// Checks a staged content folder the way the server will read it and returns the problems (none = fine). The
    /// updater refuses content with problems before switching the `content` link, so the applied content stays.
    /// Production: Appliance.Hosting's UpdateContentValidator. Null checks nothing beyond the signatures.
    /// </summary>
    public Func<string, IReadOnlyList<string>>? ContentCheck { get; init; }

    /// <summary>Called as an apply passes each step; tests throw from it to simulate a kill.</summary>
    public Action<ApplyStep>? StepHook { get; init; }
}
