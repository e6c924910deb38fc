namespace Appliance.Updates.Trust;

/// <summary>
/// Decides whether root metadata may be pinned or may replace the pinned one (TUF 5.3, "update the root role").
/// </summary>
public static class RootRotation
{
    /// <summary>First pin at install time: the document must meet its own root threshold.</summary>
    public static RootCheck CheckInitial(RootMetadata candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var self = candidate.CountSignatures(candidate.Root);
        return self.Met
            ? RootCheck.Accepted
            : RootCheck.Refused(self.Describe($"root metadata version {candidate.Version}"));
    }

    /// <summary>
    /// A rotation is accepted when the candidate is exactly one version newer, is signed by the threshold of the
    /// current root role (so the old keys vouch for the new ones) and by the threshold of its own root role (so
    /// the new keys accept the job). Versions are walked one at a time, as TUF does, so no vote is skipped.
    /// </summary>
    public static RootCheck CheckRotation(RootMetadata current, RootMetadata candidate)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(candidate);
        if (candidate.Version != current.Version + 1)
        {
            return RootCheck.Refused($"root metadata version {candidate.Version} is not the next version after the pinned {current.Version}");
        }

        var byCurrent = candidate.CountSignatures(current.Root);
        if (!byCurrent.Met)
        {
            return RootCheck.Refused(byCurrent.Describe($"root metadata version {candidate.Version}, counted against the pinned root keys,"));
        }

        var bySelf = candidate.CountSignatures(candidate.Root);
        return bySelf.Met
            ? RootCheck.Accepted
            : RootCheck.Refused(bySelf.Describe($"root metadata version {candidate.Version}, counted against its own root keys,"));
    }
}

public sealed record RootCheck(bool IsAccepted, string Reason)
{
    public static readonly RootCheck Accepted = new(true, "accepted");

    public static RootCheck Refused(string reason) => new(false, reason);
}
