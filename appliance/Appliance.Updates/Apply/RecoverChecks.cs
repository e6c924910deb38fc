namespace Appliance.Updates.Apply;

/// <summary>What `update recover` found wrong with the updater's own record before it trusted it (events 8031.. in the CLI).</summary>
public enum RecoverFindingKind
{
    /// <summary>`current` named something other than the release state.json records; it was pointed back.</summary>
    CurrentRepointed,

    /// <summary>The updates root or state.json could have been written by someone else; the known-good release was used instead.</summary>
    StateUntrusted,

    /// <summary>The release to fall back to is missing or not safe to return to; `current` was left as it is.</summary>
    KnownGoodUnavailable,

    /// <summary>update.lock was a link, not a regular file, or not the updater's own; it was removed (never followed) and made again.</summary>
    LockReplaced,

    /// <summary>An old install's trust root, ROOT/root.json in the data folder, was moved to root's own pin (decision 0112).</summary>
    RootMetadataMoved,

    /// <summary>ROOT/root.json was not moved to root's pin (not trusted, not valid, or the write failed); nothing is pinned.</summary>
    RootMetadataNotMoved,
}

/// <summary>One finding: what, the path concerned and a sentence for the operator.</summary>
public sealed record RecoverFinding(RecoverFindingKind Kind, string Path, string Detail);

/// <summary>
/// How the unit's ExecStartPre runs recovery as root (see <see cref="Updater.RecoverAsync(bool, RecoverChecks?, CancellationToken)"/>).
/// </summary>
/// <param name="KnownGood">The release to fall back to when the record is not trusted: the release root runs recovery from
/// (the unit runs root's own copy, /usr/local/lib/appliance/current/appliance, decision 0112).</param>
/// <param name="BeforeRecovery">Runs under the lock after the record was read and before anything is changed (the
/// ownership repair: it must come after the check, or it would make a planted state.json root's first).</param>
/// <param name="Report">Receives each finding.</param>
public sealed record RecoverChecks(Versioning.ApplianceVersion? KnownGood, Action? BeforeRecovery, Action<RecoverFinding> Report);
