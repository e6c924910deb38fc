namespace Appliance.Storage.Audit;

/// <summary>A closed audit file's end as recorded in the database at rotation (table <c>audit_anchors</c>).</summary>
public sealed record AuditAnchor(string FileName, long FirstSeq, long LastSeq, string LastHash, DateTimeOffset CreatedAt);
