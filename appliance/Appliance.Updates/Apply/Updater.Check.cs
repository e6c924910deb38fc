using Appliance.Updates.Bundles;
using Appliance.Updates.Verification;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Apply;

public sealed partial class Updater
{
    /// <summary>
    /// Verifies a bundle exactly as <see cref="ImportAsync"/> would before its first write (pinned root metadata,
    /// signatures, hashes, the running release and content versions) and changes nothing: the admin console's
    /// check of an uploaded bundle. Returns null with the manifest when it would be accepted, else why not.
    /// </summary>
    public UpdateOutcome? Check(string bundlePath, out BundleManifest? manifest)
    {
        manifest = null;
        if (ImportPolicy(_journal.LoadState(), out var policy, out _) is { } unusable)
        {
            return unusable;
        }

        if (OpenVerified(bundlePath, policy, out var bundle, out var verified) is { } refused)
        {
            return refused;
        }

        bundle.Dispose();
        manifest = verified;
        return null;
    }

    /// <summary>What an import verifies a bundle against: the pinned root and the running release and content.</summary>
    private UpdateOutcome? ImportPolicy(UpdateStateDocument state, out VerificationPolicy policy, out ApplianceVersion running)
    {
        policy = null!;
        running = default;
        if (!TryLoadRoot(out var root, out var rootError))
        {
            return new UpdateOutcome(UpdateResult.Refused, rootError, BundleError.TrustRootInvalid);
        }

        if (RunningVersion(state) is not { } version)
        {
            return new UpdateOutcome(UpdateResult.Refused, "the running release is unknown (no state.json and no current link)", BundleError.TrustRootInvalid);
        }

        running = version;
        _ = ApplianceVersion.TryParse(state.Content, out var contentVersion);
        policy = new VerificationPolicy(root!, _time.GetUtcNow())
        {
            RunningVersion = version,
            ContentVersion = state.Content is null ? null : contentVersion,
            RequiredBinaryRole = _options.BinaryRole,
        };
        return null;
    }
}
