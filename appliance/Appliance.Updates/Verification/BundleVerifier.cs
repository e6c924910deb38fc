using Appliance.Updates.Bundles;
using Appliance.Updates.Signing;

namespace Appliance.Updates.Verification;

/// <summary>
/// Verifies a bundle completely without writing anything: container structure and limits, the signing-role
/// threshold over the exact manifest bytes (before the manifest is even parsed), manifest validity, expiry,
/// version order (no rollback), the architecture, and every entry's size and SHA-256. Order matters: nothing
/// the manifest says is believed until the signatures are counted.
/// </summary>
public static class BundleVerifier
{
    public static VerificationResult Verify(Stream bundle, VerificationPolicy policy, BundleLimits? limits = null,
        Func<ManifestFileDocument, Stream?>? openSink = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(policy);
        limits ??= BundleLimits.Default;
        try
        {
            var header = BundleReader.ReadHeader(bundle, limits);
            var signatures = policy.Root.Signing.Count(
                SignatureDomain.ManifestMessage(header.ManifestBytes),
                header.Signatures.Select(s => (s.KeyId, s.Signature)));
            if (!signatures.Met)
            {
                return VerificationResult.Refused(BundleError.SignatureThresholdNotMet, signatures.Describe("the bundle manifest"), signatures: signatures);
            }

            if (!BundleManifest.TryParse(header.ManifestBytes, limits, out var manifest, out var manifestError))
            {
                return VerificationResult.Refused(BundleError.ManifestInvalid, manifestError, signatures: signatures);
            }

            var policyCheck = CheckPolicy(manifest!, policy);
            if (policyCheck is not null)
            {
                return policyCheck with { Signatures = signatures };
            }

            if (header.EntryCount != manifest!.Files.Count)
            {
                var error = header.EntryCount < manifest.Files.Count ? BundleError.EntryMissing : BundleError.EntryNotInManifest;
                return VerificationResult.Refused(error, $"the bundle carries {header.EntryCount} entries but the manifest lists {manifest.Files.Count}", manifest, signatures);
            }

            BundleReader.ReadEntries(bundle, header, manifest, limits, openSink);
            return new VerificationResult(BundleError.None, "valid", manifest, signatures);
        }
        catch (BundleFormatException e)
        {
            return VerificationResult.Refused(e.Error, e.Message);
        }
        catch (IOException e)
        {
            return VerificationResult.Refused(BundleError.Io, "reading the bundle failed: " + e.Message);
        }
    }

    private static VerificationResult? CheckPolicy(BundleManifest manifest, VerificationPolicy policy)
    {
        if (policy.Now >= manifest.Expires)
        {
            return VerificationResult.Refused(BundleError.Expired,
                $"the bundle expired at {BundleManifest.FormatDate(manifest.Expires)} (now {BundleManifest.FormatDate(policy.Now)})", manifest);
        }

        if (manifest.Created > policy.Now + policy.ClockSkew)
        {
            return VerificationResult.Refused(BundleError.CreatedInFuture,
                $"the bundle was created at {BundleManifest.FormatDate(manifest.Created)}, after now ({BundleManifest.FormatDate(policy.Now)}) "
                + $"by more than the allowed clock skew of {policy.ClockSkew.TotalMinutes:0} min: check this machine's clock", manifest);
        }

        if (policy.RunningVersion is { } running)
        {
            if (running < manifest.MinVersion)
            {
                return VerificationResult.Refused(BundleError.BelowMinimumVersion,
                    $"the bundle needs version {manifest.MinVersion} or newer to upgrade from, and this appliance runs {running}", manifest);
            }

            if (manifest.Kind == BundleKind.Release && manifest.Version <= running)
            {
                return VerificationResult.Refused(BundleError.NotNewer,
                    $"release {manifest.Version} is not newer than the running {running} (downgrades and reinstalls are refused)", manifest);
            }
        }

        if (manifest.Kind == BundleKind.Content && policy.ContentVersion is { } content && manifest.Version <= content)
        {
            return VerificationResult.Refused(BundleError.NotNewer,
                $"content {manifest.Version} is not newer than the applied content {content}", manifest);
        }

        if (manifest.Kind == BundleKind.Release && policy.RequiredBinaryRole is { } role && manifest.Files.All(f => f.Role != role))
        {
            return VerificationResult.Refused(BundleError.WrongArchitecture, $"the release does not carry {role} for this machine", manifest);
        }

        return null;
    }
}
