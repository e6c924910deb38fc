using Appliance.Updates.Bundles;
using Appliance.Updates.Platform;
using Appliance.Updates.Trust;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

/// <summary>
/// Applies verified bundles to an updates root (layout in <see cref="UpdatePaths"/>).
/// <para>Safety argument: (1) a bundle is verified completely before anything is written; (2) the apply is
/// journaled in state.json before its first write; (3) releases are staged beside the running one and the
/// switch is one rename(2) of the `current` link; (4) until the new release reports healthy, the previous
/// release stays on disk and the journal says how to get back to it. So a process killed at any point leaves
/// `current` naming a complete release, and <see cref="RecoverAsync(bool, CancellationToken)"/> either completes the apply (it had
/// passed its health check) or rolls it back.</para>
/// Partial files: Updater.Import.cs (release and content), Updater.Recover.cs, Updater.Rollback.cs, Updater.Root.cs.
/// </summary>
public sealed partial class Updater
{
    private readonly UpdatePaths _paths;
    private readonly UpdaterOptions _options;
    private readonly IServiceRestarter _restarter;
    private readonly IHealthProbe _probe;
    private readonly TimeProvider _time;
    private readonly UpdateJournal _journal;

    public Updater(UpdatePaths paths, UpdaterOptions options, IServiceRestarter restarter, IHealthProbe probe, TimeProvider time)
    {
        _paths = paths;
        _options = options;
        _restarter = restarter;
        _probe = probe;
        _time = time;
        _journal = new UpdateJournal(paths);
    }

    public UpdatePaths Paths => _paths;

    public IReadOnlyList<HistoryEntry> History() => _journal.LoadHistory();

    public UpdateStatus Status()
    {
        var state = _journal.LoadState();
        TryLoadRoot(out var root, out _);
        var releases = Directory.Exists(_paths.Releases)
            ? Directory.EnumerateDirectories(_paths.Releases).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
        return new UpdateStatus(root?.Version, RunningVersion(state)?.ToString(), state.Previous, state.Content,
            LinkSwitch.Target(_paths.Current), state.Pending, releases);
    }

    /// <summary>
    /// Install-time adoption of the first release: copies the binary to releases/VERSION/appliance and points
    /// `current` at it. Refused if a release is already current.
    /// </summary>
    public void AdoptInstalledRelease(ApplianceVersion version, string binaryPath)
    {
        Directory.CreateDirectory(_paths.Root);
        if (!UpdateLock.TryAcquire(_paths, out var held))
        {
            throw new InvalidOperationException(UpdateLock.BusyMessage);
        }

        using var gate = held;
        if (LinkSwitch.Target(_paths.Current) is not null)
        {
            throw new InvalidOperationException($"{_paths.Current} already exists; the installed release was adopted before");
        }

        var dir = _paths.Release(version);
        Directory.CreateDirectory(dir);
        using (var source = File.OpenRead(binaryPath))
        using (var target = AtomicFile.CreateForStaging(_paths.ReleaseBinary(version), ExecutableMode))
        {
            source.CopyTo(target);
            target.Flush(flushToDisk: true);
        }

        LinkSwitch.Point(_paths.Current, _paths.ReleaseLinkTarget(version));
        _journal.SaveState(_journal.LoadState() with { Current = version.ToString() });
        _journal.Append(Entry("install", version, null, "applied", $"release {version} adopted at install"));
    }

    internal const UnixFileMode ExecutableMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
        UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    internal const UnixFileMode DataMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    /// <summary>The running release: state.json, else the `current` link, else the installed version option.</summary>
    private ApplianceVersion? RunningVersion(UpdateStateDocument state)
    {
        if (ApplianceVersion.TryParse(state.Current, out var fromState))
        {
            return fromState;
        }

        var target = LinkSwitch.Target(_paths.Current);
        if (target is not null && ApplianceVersion.TryParse(Path.GetFileName(target), out var fromLink))
        {
            return fromLink;
        }

        return _options.InstalledVersion;
    }

    private bool TryLoadRoot(out RootMetadata? root, out string error)
    {
        root = null;
        if (PinnedRootFile.Read(_paths, out error) is not { } bytes)
        {
            return false;
        }

        if (!RootMetadata.TryParse(bytes, out root, out error))
        {
            error = $"the pinned root metadata is not valid: {error}";
            return false;
        }

        return true;
    }

    private void Step(ApplyStep step) => _options.StepHook?.Invoke(step);

    private HistoryEntry Entry(string action, ApplianceVersion? version, string? from, string outcome, string detail) =>
        new(BundleManifest.FormatDate(_time.GetUtcNow()), action, version?.ToString(), from, outcome, detail);

    private PendingApplyDocument Pending(string kind, ApplianceVersion version, string? from, ApplyStep step) =>
        new(kind, version.ToString(), from, step.ToString(), BundleManifest.FormatDate(_time.GetUtcNow()));

    private static void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}

/// <summary>What `appliance update status` prints.</summary>
public sealed record UpdateStatus(int? RootVersion, string? Current, string? Previous, string? Content,
    string? CurrentLink, PendingApplyDocument? Pending, IReadOnlyList<string> Releases);
