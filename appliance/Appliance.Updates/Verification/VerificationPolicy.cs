using Appliance.Updates.Trust;
using Appliance.Updates.Versioning;

namespace Appliance.Updates.Verification;

/// <summary>
/// What a bundle is checked against. On the appliance every field is set; the signing station's `verify`
/// sets only the root and the time, because it has no running version to compare with.
/// </summary>
public sealed record VerificationPolicy(RootMetadata Root, DateTimeOffset Now)
{
    /// <summary>The release the appliance runs; a release bundle must be newer and at least its min_version.</summary>
    public ApplianceVersion? RunningVersion { get; init; }

    /// <summary>The last content bundle applied (null if none); a content bundle must be newer.</summary>
    public ApplianceVersion? ContentVersion { get; init; }

    /// <summary>The binary role this machine runs (e.g. appliance-linux-x64); a release must carry it.</summary>
    public string? RequiredBinaryRole { get; init; }

    /// <summary>
    /// How far in the future a bundle's created date may lie: clocks of an air-gapped signing station and appliance
    /// drift apart, but a bundle dated days ahead is a wrong clock or a forged date. Default 10 minutes.
    /// </summary>
    public TimeSpan ClockSkew { get; init; } = DefaultClockSkew;

    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromMinutes(10);
}
