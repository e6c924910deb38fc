-- Issue 15: the audit log (<data>/audit/audit-NNNNNN.log) is a hash chain of JSON lines. Each time a file is
-- closed by rotation, its end is anchored here, so `appliance audit verify` can tell a removed or replaced file
-- from an intact one (docs/ops/audit.md). Rows are only ever inserted.
CREATE TABLE IF NOT EXISTS audit_anchors (
    file_name  TEXT    NOT NULL PRIMARY KEY,
    first_seq  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL,
    last_hash  TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
