-- 0004 on PostgreSQL: the same table as 0004_console_sessions.sql, with BIGINT for SQLite's 64-bit INTEGER
-- (unix-millisecond times). Shipped: never edit; add a numbered file.
CREATE TABLE IF NOT EXISTS console_sessions (
    token_hash TEXT    NOT NULL PRIMARY KEY,
    login      TEXT    NOT NULL,
    csrf       TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    last_seen  BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS console_sessions_login ON console_sessions (login);
