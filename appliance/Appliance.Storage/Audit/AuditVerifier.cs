namespace Appliance.Storage.Audit;

/// <summary>What kind of damage verify found.</summary>
public enum AuditProblemKind
{
    /// <summary>A line whose hash does not match its content, or that is not a record at all.</summary>
    Changed,

    /// <summary>Sequence numbers jump forward: lines are missing before this one.</summary>
    Removed,

    /// <summary>A sequence number repeats or goes back: a line was inserted or the lines were reordered.</summary>
    InsertedOrReordered,

    /// <summary>The line's prev does not match the line before it (with a plausible sequence number).</summary>
    ChainBroken,

    /// <summary>An anchored file is missing, or its end differs from the anchor.</summary>
    FileRemovedOrReplaced,

    /// <summary>The last line of the newest file was cut off (a crash during a write); everything before it verifies.</summary>
    TornAtEnd,
}

/// <summary>One finding, named by file and 1-based line (0 when it concerns a whole file).</summary>
public sealed record AuditProblem(string File, int Line, AuditProblemKind Kind, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}

/// <summary>The outcome of <see cref="AuditVerifier.Verify"/>.</summary>
public sealed record AuditVerification(int Files, long Records, long LastSeq, string LastHash, IReadOnlyList<AuditProblem> Problems)
{
    public bool Intact => Problems.Count == 0;
}

/// <summary>
/// Checks the whole chain: every line's own hash, its sequence number (one more than the line before), its prev
/// (the hash of the line before, across file boundaries), and each database anchor against the file it names.
/// A torn line sealed by the writer's <c>audit.torn-line</c> record is accepted (it was a crash, and the record
/// after it chains to the last complete line); a torn line at the very end is reported as <see cref="AuditProblemKind.TornAtEnd"/>.
/// After a problem the check resynchronises on the next good line, so one edit is reported once.
/// </summary>
public static class AuditVerifier
{
    public static AuditVerification Verify(string folder, IReadOnlyList<AuditAnchor> anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        var problems = new List<AuditProblem>();
        var files = AuditLogFiles.List(folder);
        var expectedSeq = 1L;
        // Null after a line that could not be read: the next line's prev cannot be checked, only its sequence.
        string? expectedPrev = AuditRecord.Genesis;
        long records = 0;
        var afterUnreadable = false;
        var lastByFile = new Dictionary<string, (long First, long Last, string Hash)>(StringComparer.Ordinal);

        CheckFileNumbers(files, anchors, problems);
        for (var f = 0; f < files.Count; f++)
        {
            var name = Path.GetFileName(files[f].Path);
            var lines = AuditLogFiles.Lines(files[f].Path).ToList();
            long? first = null;
            for (var i = 0; i < lines.Count; i++)
            {
                var (number, text, terminated) = lines[i];
                if (!terminated)
                {
                    problems.Add(new AuditProblem(name, number, AuditProblemKind.TornAtEnd,
                        "torn at end: the last line was cut off (a crash during a write); every line before it verifies. " +
                        "The next write seals it with an audit.torn-line record."));
                    continue;
                }

                if (AuditRecord.TryParse(text, out var why) is not { } record)
                {
                    if (!SealedTorn(lines, i, name))
                    {
                        problems.Add(new AuditProblem(name, number, AuditProblemKind.Changed, why ?? "changed"));
                        expectedPrev = null;
                        afterUnreadable = true;
                    }

                    continue;
                }

                records++;
                first ??= record.Seq;
                if (afterUnreadable && record.Seq == expectedSeq + 1)
                {
                    // The unreadable line before took this sequence number: it was changed, nothing is missing.
                    expectedSeq++;
                }

                afterUnreadable = false;
                if (record.Seq < expectedSeq)
                {
                    // An intruder (a copied or moved line): report it and keep checking the lines after it against
                    // the line before it.
                    problems.Add(new AuditProblem(name, number, AuditProblemKind.InsertedOrReordered,
                        $"inserted or reordered line (sequence {record.Seq} after {expectedSeq - 1})"));
                    continue;
                }

                if (record.Seq > expectedSeq)
                {
                    problems.Add(new AuditProblem(name, number, AuditProblemKind.Removed,
                        $"{record.Seq - expectedSeq} line(s) removed before this one (sequence {expectedSeq} expected, found {record.Seq})"));
                }
                else if (expectedPrev is not null && !string.Equals(record.Prev, expectedPrev, StringComparison.Ordinal))
                {
                    problems.Add(new AuditProblem(name, number, AuditProblemKind.ChainBroken,
                        "chain broken: its prev is not the hash of the line before it (that line was changed or replaced)"));
                }

                expectedSeq = record.Seq + 1;
                expectedPrev = record.Hash;
                lastByFile[name] = (first.Value, record.Seq, record.Hash);
            }
        }

        foreach (var anchor in anchors)
        {
            if (!lastByFile.TryGetValue(anchor.FileName, out var found))
            {
                if (!files.Any(f => Path.GetFileName(f.Path) == anchor.FileName))
                {
                    problems.Add(new AuditProblem(anchor.FileName, 0, AuditProblemKind.FileRemovedOrReplaced,
                        $"removed: the database anchored it at rotation ({anchor.CreatedAt:u}, sequence {anchor.FirstSeq}..{anchor.LastSeq})"));
                }
                else
                {
                    problems.Add(new AuditProblem(anchor.FileName, 0, AuditProblemKind.FileRemovedOrReplaced,
                        "replaced: it holds no valid record, but the database anchored it at rotation"));
                }

                continue;
            }

            if (found.First != anchor.FirstSeq || found.Last != anchor.LastSeq || !string.Equals(found.Hash, anchor.LastHash, StringComparison.Ordinal))
            {
                problems.Add(new AuditProblem(anchor.FileName, 0, AuditProblemKind.FileRemovedOrReplaced,
                    $"replaced or cut: it runs {found.First}..{found.Last}, the database anchored {anchor.FirstSeq}..{anchor.LastSeq} with another last hash"));
            }
        }

        return new AuditVerification(files.Count, records, expectedSeq - 1, expectedPrev ?? "", problems);
    }

    // A file number missing between two present ones (or before the first, when the database anchored it) is a removed file.
    private static void CheckFileNumbers(IReadOnlyList<(int Number, string Path)> files, IReadOnlyList<AuditAnchor> anchors, List<AuditProblem> problems)
    {
        var anchored = anchors.Select(a => a.FileName).ToHashSet(StringComparer.Ordinal);
        var firstNumber = files.Count > 0 ? files[0].Number : 1;
        for (var i = 1; i < files.Count; i++)
        {
            for (var missing = files[i - 1].Number + 1; missing < files[i].Number; missing++)
            {
                if (!anchored.Contains(AuditLogFiles.NameOf(missing)))
                {
                    problems.Add(new AuditProblem(AuditLogFiles.NameOf(missing), 0, AuditProblemKind.FileRemovedOrReplaced,
                        "removed: the files before and after it are present"));
                }
            }
        }

        if (files.Count > 0 && firstNumber > 1 && anchors.Count == 0)
        {
            problems.Add(new AuditProblem(AuditLogFiles.NameOf(1), 0, AuditProblemKind.FileRemovedOrReplaced,
                $"removed: the log starts at {Path.GetFileName(files[0].Path)}"));
        }
    }

    // A torn line the writer sealed: the next line is a valid audit.torn-line record naming this file:line.
    private static bool SealedTorn(List<(int Number, string Text, bool Terminated)> lines, int index, string fileName) =>
        index + 1 < lines.Count
        && AuditRecord.TryParse(lines[index + 1].Text, out _) is { Action: AuditLogWriter.TornLineAction } seal
        && seal.Target == fileName + ":" + lines[index].Number;
}
