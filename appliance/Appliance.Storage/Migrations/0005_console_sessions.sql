-- Issue 19: the admin console's sessions live in the database, so a session started on one appliance works on
-- every appliance of the same database (docs/console.md). token_hash is the SHA-256 (hex) of the cookie's 256
-- random bits: the table alone cannot be replayed as cookies. Times are unix milliseconds.
CREATE TABLE IF NOT EXISTS console_sessions (
    token_hash TEXT    NOT NULL PRIMARY KEY,
    login      TEXT    NOT NULL,
    csrf       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS console_sessions_login ON console_sessions (login);
