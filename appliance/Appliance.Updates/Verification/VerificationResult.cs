using Appliance.Updates.Bundles;
using Appliance.Updates.Trust;

namespace Appliance.Updates.Verification;

/// <summary>The outcome of verifying a bundle: either valid with its manifest, or the first reason it was refused.</summary>
public sealed record VerificationResult(BundleError Error, string Reason, BundleManifest? Manifest, ThresholdResult? Signatures)
{
    public bool IsValid => Error == BundleError.None;

    public static VerificationResult Refused(BundleError error, string reason, BundleManifest? manifest = null, ThresholdResult? signatures = null) =>
        new(error, reason, manifest, signatures);
}
