namespace Appliance.Updates.Apply;

/// <summary>
/// state.json. <see cref="Pending"/> is the journal of an apply in progress: it is written before the first
/// change an apply makes and cleared by the write that commits it, so a process killed anywhere in between
/// leaves a record that <see cref="Updater.RecoverAsync(bool, CancellationToken)"/> finishes or reverses on the next start.
/// </summary>
public sealed record UpdateStateDocument(
    int Version,
    string? Current,
    string? Previous,
    string? Content,
    string? PreviousContent,
    PendingApplyDocument? Pending);

/// <summary>kind: "release", "content" or "rollback"; step: an <see cref="ApplyStep"/> name.</summary>
public sealed record PendingApplyDocument(string Kind, string Version, string? From, string Step, string Started);

/// <summary>One line of history.json. Outcome: applied, rolled-back, recovered, root-rotated.</summary>
public sealed record HistoryEntry(string At, string Action, string? Version, string? From, string Outcome, string Detail);
