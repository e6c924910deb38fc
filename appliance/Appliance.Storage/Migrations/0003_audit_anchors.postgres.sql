-- 0003 on PostgreSQL: the same table as 0003_audit_anchors.sql, with BIGINT for SQLite's 64-bit INTEGER
-- (sequence numbers and unix-millisecond times). Shipped: never edit; add a numbered file.
CREATE TABLE IF NOT EXISTS audit_anchors (
    file_name  TEXT    NOT NULL PRIMARY KEY,
    first_seq  BIGINT  NOT NULL,
    last_seq   BIGINT  NOT NULL,
    last_hash  TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
