using System.Security.Cryptography;
using Appliance.Updates.Bundles;
using Appliance.Updates.Platform;
using Appliance.Updates.Verification;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

public sealed partial class Updater
{
    /// <summary>
    /// `appliance update import PATH`: verify everything, then stage, switch, restart, health-check and commit
    /// (or roll back). A refused bundle changes nothing in the updates root.
    /// </summary>
    public async Task<UpdateOutcome> ImportAsync(string bundlePath, CancellationToken cancellationToken)
    {
        if (!UpdateLock.TryAcquire(_paths, out var held))
        {
            return new UpdateOutcome(UpdateResult.Refused, UpdateLock.BusyMessage, BundleError.Io);
        }

        using (held)
        {
            return await ImportLockedAsync(bundlePath, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<UpdateOutcome> ImportLockedAsync(string bundlePath, CancellationToken cancellationToken)
    {
        if (_journal.LoadState().Pending is not null)
        {
            await RecoverLockedAsync(restart: true, cancellationToken).ConfigureAwait(false);
        }

        var state = _journal.LoadState();
        if (ImportPolicy(state, out var policy, out var running) is { } unusable)
        {
            return unusable;
        }

        if (OpenVerified(bundlePath, policy, out var bundle, out var manifest) is { } refused)
        {
            return refused;
        }

        using (bundle)
        {
            Step(ApplyStep.Verified);
            return manifest.Kind == BundleKind.Release
                ? await ApplyReleaseAsync(bundle, policy, manifest, state, running, cancellationToken).ConfigureAwait(false)
                : await ApplyContentAndReloadAsync(bundle, policy, manifest, state, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A content bundle: switch the content, then ask the running service to re-read it.</summary>
    private async Task<UpdateOutcome> ApplyContentAndReloadAsync(FileStream bundle, VerificationPolicy policy, BundleManifest manifest,
        UpdateStateDocument state, CancellationToken cancellationToken)
    {
        var outcome = ApplyContent(bundle, policy, manifest, state);
        if (outcome.Result != UpdateResult.Applied)
        {
            return outcome;
        }

        try
        {
            await _restarter.ReloadAsync(cancellationToken).ConfigureAwait(false);
            return outcome with { Message = outcome.Message + "; the service was asked to reload it" };
        }
        catch (InvalidOperationException e)
        {
            return outcome with { Message = $"{outcome.Message}; reloading the service failed ({e.Message}): run `systemctl reload appliance` or restart it" };
        }
    }

    private async Task<UpdateOutcome> ApplyReleaseAsync(FileStream bundle, VerificationPolicy policy, BundleManifest manifest,
        UpdateStateDocument state, ApplianceVersion running, CancellationToken cancellationToken)
    {
        var version = manifest.Version;
        var from = running.ToString();
        state = state with { Current = from, Pending = Pending("release", version, from, ApplyStep.Journaled) };
        _journal.SaveState(state);
        Step(ApplyStep.Journaled);

        var staged = Stage(bundle, policy, manifest, f =>
            f.Role == _options.BinaryRole ? ("appliance", ExecutableMode)
            : PayloadRole.IsContent(f.Role) ? (Path.Combine("content", Path.GetFileName(f.Name)), DataMode)
            : null);
        if (staged.Error is not null)
        {
            _journal.SaveState(state with { Pending = null });
            return staged.Error;
        }

        var releaseDir = _paths.Release(version);
        DeleteDirectory(releaseDir);
        Directory.Move(staged.Directory!, releaseDir);
        PosixFile.FsyncDirectory(_paths.Releases);
        Step(ApplyStep.Staged);
        _journal.SaveState(state = state with { Pending = state.Pending! with { Step = nameof(ApplyStep.Staged) } });

        LinkSwitch.Point(_paths.Current, _paths.ReleaseLinkTarget(version));
        Step(ApplyStep.Switched);
        _journal.SaveState(state = state with { Pending = state.Pending! with { Step = nameof(ApplyStep.Switched) } });

        string? failure = null;
        try
        {
            await _restarter.RestartAsync(cancellationToken).ConfigureAwait(false);
            Step(ApplyStep.Restarted);
            _journal.SaveState(state = state with { Pending = state.Pending! with { Step = nameof(ApplyStep.Restarted) } });
            if (!await _probe.WaitHealthyAsync(version, _options.HealthTimeout, cancellationToken).ConfigureAwait(false))
            {
                failure = $"release {version} did not become healthy within {_options.HealthTimeout.TotalSeconds:0} s";
            }
        }
        catch (InvalidOperationException e)
        {
            failure = $"restarting into release {version} failed: {e.Message}";
        }

        if (failure is not null)
        {
            return await RollBackFailedReleaseAsync(state, version, running, failure, cancellationToken).ConfigureAwait(false);
        }

        _journal.SaveState(state = state with { Pending = state.Pending! with { Step = nameof(ApplyStep.HealthChecked) } });
        Step(ApplyStep.HealthChecked);
        CommitRelease(state, version, from);
        Step(ApplyStep.Committed);

        var contentNote = ApplyReleaseContent(releaseDir, version);
        Prune();
        return new UpdateOutcome(UpdateResult.Applied, $"release {version} is running and healthy (was {from}){contentNote}");
    }

    private void CommitRelease(UpdateStateDocument state, ApplianceVersion version, string from)
    {
        _journal.SaveState(state with { Current = version.ToString(), Previous = from, Pending = null });
        _journal.Append(Entry("import", version, from, "applied", $"release {version} applied and healthy"));
    }

    private async Task<UpdateOutcome> RollBackFailedReleaseAsync(UpdateStateDocument state, ApplianceVersion version,
        ApplianceVersion running, string failure, CancellationToken cancellationToken)
    {
        LinkSwitch.Point(_paths.Current, _paths.ReleaseLinkTarget(running));
        var restartNote = string.Empty;
        try
        {
            await _restarter.RestartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            restartNote = $"; restarting {running} also failed ({e.Message}), restart the service by hand";
        }

        DeleteDirectory(_paths.Release(version));
        _journal.SaveState(state with { Current = running.ToString(), Pending = null });
        _journal.Append(Entry("import", version, running.ToString(), "rolled-back", failure + restartNote));
        return new UpdateOutcome(UpdateResult.RolledBack, $"{failure}; rolled back to {running}{restartNote}");
    }

    private UpdateOutcome ApplyContent(FileStream bundle, VerificationPolicy policy, BundleManifest manifest, UpdateStateDocument state)
    {
        var version = manifest.Version;
        state = state with { Pending = Pending("content", version, state.Content, ApplyStep.Journaled) };
        _journal.SaveState(state);
        Step(ApplyStep.Journaled);

        var staged = Stage(bundle, policy, manifest, f => (Path.GetFileName(f.Name), DataMode));
        if (staged.Error is not null)
        {
            _journal.SaveState(state with { Pending = null });
            return staged.Error;
        }

        if (CheckContent(staged.Directory!) is { } problems)
        {
            DeleteDirectory(staged.Directory!);
            _journal.SaveState(state with { Pending = null });
            _journal.Append(Entry("import", version, state.Content, "refused", problems));
            return new UpdateOutcome(UpdateResult.Refused, $"content {version} refused, the applied content stays: {problems}", BundleError.ContentInvalid);
        }

        SwitchContent(state, staged.Directory!, version, "import");
        Prune();
        return new UpdateOutcome(UpdateResult.Applied, $"content {version} applied ({string.Join(", ", manifest.Files.Select(f => f.Role))})");
    }

    /// <summary>Moves a staged content folder to contents/VERSION and switches the `content` link to it.</summary>
    private void SwitchContent(UpdateStateDocument state, string stagedDirectory, ApplianceVersion version, string action)
    {
        var target = _paths.ContentVersionDir(version);
        DeleteDirectory(target);
        Directory.CreateDirectory(_paths.Contents);
        Directory.Move(stagedDirectory, target);
        PosixFile.FsyncDirectory(_paths.Contents);
        Step(ApplyStep.Staged);
        _journal.SaveState(state = state with { Pending = state.Pending! with { Step = nameof(ApplyStep.Staged) } });

        LinkSwitch.Point(_paths.Content, UpdatePaths.ContentLinkTarget(version));
        Step(ApplyStep.Switched);
        _journal.SaveState(state = state with { Pending = state.Pending! with { Step = nameof(ApplyStep.Switched) } });

        var from = state.Pending!.From;
        _journal.SaveState(state with { Content = version.ToString(), PreviousContent = from, Pending = null });
        _journal.Append(Entry(action, version, from, "applied", $"content {version} applied"));
        Step(ApplyStep.Committed);
    }

    /// <summary>Content carried by a healthy release is applied as content VERSION, if newer than what is applied.</summary>
    private string ApplyReleaseContent(string releaseDir, ApplianceVersion version)
    {
        var source = Path.Combine(releaseDir, "content");
        if (!Directory.Exists(source) || !Directory.EnumerateFiles(source).Any())
        {
            return string.Empty;
        }

        var state = _journal.LoadState();
        if (ApplianceVersion.TryParse(state.Content, out var applied) && applied >= version)
        {
            return $"; its content was not applied because content {applied} is already newer";
        }

        if (CheckContent(source) is { } problems)
        {
            return $"; its content was NOT applied (the previous content stays): {problems}";
        }

        var staging = Path.Combine(_paths.Staging, "content-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(staging);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(staging, Path.GetFileName(file)));
        }

        state = state with { Pending = Pending("content", version, state.Content, ApplyStep.Journaled) };
        _journal.SaveState(state);
        SwitchContent(state, staging, version, "import");
        return "; its content was applied";
    }

    /// <summary>The configured content check's problems joined, or null when there are none (or no check).</summary>
    private string? CheckContent(string folder) =>
        _options.ContentCheck?.Invoke(folder) is { Count: > 0 } problems ? string.Join("; ", problems) : null;

    /// <summary>
    /// Second pass over the (already verified) bundle, copying the wanted entries into a fresh staging folder.
    /// The bundle is verified again while copying, so a file changed between the passes is caught.
    /// </summary>
    private (string? Directory, UpdateOutcome? Error) Stage(FileStream bundle, VerificationPolicy policy, BundleManifest manifest,
        Func<ManifestFileDocument, (string RelativePath, UnixFileMode Mode)?> placement)
    {
        var staging = Path.Combine(_paths.Staging, manifest.Version + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        Directory.CreateDirectory(staging);
        var written = new List<string>();
        bundle.Position = 0;
        var again = BundleVerifier.Verify(bundle, policy, _options.Limits, f =>
        {
            if (placement(f) is not { } place)
            {
                return null;
            }

            var path = Path.Combine(staging, place.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            written.Add(path);
            return AtomicFile.CreateForStaging(path, place.Mode);
        });
        if (!again.IsValid || !again.Manifest!.Bytes.AsSpan().SequenceEqual(manifest.Bytes))
        {
            DeleteDirectory(staging);
            return (null, new UpdateOutcome(UpdateResult.Refused, "the bundle changed while it was being imported: " + again.Reason,
                again.IsValid ? BundleError.ManifestInvalid : again.Error));
        }

        File.WriteAllBytes(Path.Combine(staging, "manifest.json"), manifest.Bytes);
        written.Add(Path.Combine(staging, "manifest.json"));
        foreach (var path in written)
        {
            using var handle = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
            handle.Flush(flushToDisk: true);
        }

        return (staging, null);
    }
}
