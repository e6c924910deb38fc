using Appliance.Updates.Bundles;
using Appliance.Updates.Verification;

namespace Appliance.Updates.Apply;

public sealed partial class Updater
{
    /// <summary>
    /// Opens the bundle and verifies it against <paramref name="policy"/>: the one check shared by the first install and
    /// every import. On success the caller owns <paramref name="bundle"/>; on refusal it is closed and the outcome says why.
    /// </summary>
    private UpdateOutcome? OpenVerified(string bundlePath, VerificationPolicy policy, out FileStream bundle, out BundleManifest manifest)
    {
        bundle = null!;
        manifest = null!;
        FileStream stream;
        try
        {
            stream = new FileStream(bundlePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new UpdateOutcome(UpdateResult.Refused, $"cannot read {bundlePath}: {e.Message}", BundleError.Io);
        }

        var verdict = BundleVerifier.Verify(stream, policy, _options.Limits);
        if (!verdict.IsValid)
        {
            stream.Dispose();
            return new UpdateOutcome(UpdateResult.Refused, verdict.Reason, verdict.Error);
        }

        bundle = stream;
        manifest = verdict.Manifest!;
        return null;
    }
}
