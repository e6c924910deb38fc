using Appliance.Updates.Bundles;
using Appliance.Updates.Platform;
using Appliance.Updates.Verification;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

public sealed partial class Updater
{
    /// <summary>
    /// `appliance install --bundle`: the first release comes from a signed release bundle, verified against the pinned
    /// root exactly as <see cref="ImportAsync"/> verifies an update (signatures, expiry, created date, architecture,
    /// every file's size and hash), so what is installed is what the signers signed. Nothing runs yet, so there is no
    /// restart and no health check: the caller starts the service. With a release already current, the same or an
    /// older bundle keeps it ("already installed") and a newer one must go through <see cref="ImportAsync"/>.
    /// </summary>
    public UpdateOutcome InstallFirstRelease(string bundlePath)
    {
        Directory.CreateDirectory(_paths.Root);
        if (!UpdateLock.TryAcquire(_paths, out var held))
        {
            return new UpdateOutcome(UpdateResult.Refused, UpdateLock.BusyMessage, BundleError.Io);
        }

        using (held)
        {
            return InstallLocked(bundlePath);
        }
    }

    private UpdateOutcome InstallLocked(string bundlePath)
    {
        if (!TryLoadRoot(out var root, out var rootError))
        {
            return new UpdateOutcome(UpdateResult.Refused, rootError, BundleError.TrustRootInvalid);
        }

        var policy = new VerificationPolicy(root!, _time.GetUtcNow()) { RequiredBinaryRole = _options.BinaryRole };
        if (OpenVerified(bundlePath, policy, out var bundle, out var manifest) is { } refused)
        {
            return refused;
        }

        using (bundle)
        {
            if (manifest.Kind != BundleKind.Release)
            {
                return new UpdateOutcome(UpdateResult.Refused, "a content bundle carries no appliance binary; install from a release bundle", BundleError.ManifestInvalid);
            }

            var state = _journal.LoadState();
            if (RunningVersion(state) is { } installed && LinkSwitch.Target(_paths.Current) is not null)
            {
                // Installing again over kept data (after an uninstall) keeps what runs there: the same or a newer
                // release. Only an upgrade needs the health-checked path.
                return installed >= manifest.Version
                    ? new UpdateOutcome(UpdateResult.Applied, installed == manifest.Version
                        ? $"release {installed} is already installed"
                        : $"release {installed} is already installed (newer than the bundle's {manifest.Version}); kept")
                    : new UpdateOutcome(UpdateResult.Refused,
                        $"release {installed} is installed; import {manifest.Version} with 'appliance update import' (it checks health and can roll back)",
                        BundleError.NotNewer);
            }

            var staged = Stage(bundle, policy, manifest, f =>
                f.Role == _options.BinaryRole ? ("appliance", ExecutableMode)
                : PayloadRole.IsContent(f.Role) ? (Path.Combine("content", Path.GetFileName(f.Name)), DataMode)
                : null);
            if (staged.Error is not null)
            {
                return staged.Error;
            }

            var version = manifest.Version;
            var releaseDir = _paths.Release(version);
            Directory.CreateDirectory(_paths.Releases);
            DeleteDirectory(releaseDir);
            Directory.Move(staged.Directory!, releaseDir);
            PosixFile.FsyncDirectory(_paths.Releases);
            LinkSwitch.Point(_paths.Current, _paths.ReleaseLinkTarget(version));
            _journal.SaveState(state with { Current = version.ToString(), Pending = null });
            _journal.Append(Entry("install", version, null, "applied", $"release {version} installed from a verified bundle"));
            var contentNote = ApplyReleaseContent(releaseDir, version);
            return new UpdateOutcome(UpdateResult.Applied, $"release {version} installed{contentNote}");
        }
    }
}
