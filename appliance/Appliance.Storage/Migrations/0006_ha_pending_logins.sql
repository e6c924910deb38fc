-- Issue 17: interactive logins waiting for an operator live in the database, so a login a client started on one
-- appliance can be listed and approved on any appliance of the same database, and the client may re-ask another
-- one with the same registration id (docs/ops/ha.md). Single appliances on SQLite use the same table: a waiting
-- login also survives a restart. Shipped: never edit; add a numbered file.
--
-- id is the registration id of the AuthURL ({server_url}/register/{id}): 128 random bits, unique across instances by
-- this table's constraint. row_id is the number the change feed carries (ha_changes.row_id is an integer).
-- state: waiting -> claimed (an operator's approval or refusal took it) -> approved (node_id set) | refused (error).
-- request is the client's RegisterRequest as JSON (what the approval admits). Times are unix milliseconds.
CREATE TABLE IF NOT EXISTS pending_logins (
    row_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT    NOT NULL UNIQUE,
    machine_key TEXT    NOT NULL,
    request     TEXT    NOT NULL,
    auth_url    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    state       TEXT    NOT NULL,
    node_id     INTEGER,
    error       TEXT,
    instance_id TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_logins_expires ON pending_logins (expires_at);
