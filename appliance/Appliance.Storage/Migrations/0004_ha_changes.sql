-- Issue 17: several appliances on one database. The tables exist on both engines so the lease helper and its tests
-- are the same everywhere; on SQLite (one appliance per file) nothing writes ha_changes or ha_presence, because only
-- PostgreSQL's triggers (0004_ha_changes.postgres.sql) fill them. docs/ops/ha.md. Shipped: never edit; add a file.

-- The change sequence: one row per committed change to a tailnet table, in the writer's own transaction.
CREATE TABLE IF NOT EXISTS ha_changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    entity     TEXT    NOT NULL,
    row_id     INTEGER NOT NULL,
    origin     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- Each running instance renews its lease; a crashed one's lease runs out.
CREATE TABLE IF NOT EXISTS ha_instances (
    instance_id TEXT    NOT NULL PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    lease_until INTEGER NOT NULL
);

-- Which node has a map stream on which instance.
CREATE TABLE IF NOT EXISTS ha_presence (
    node_id     INTEGER NOT NULL,
    instance_id TEXT    NOT NULL,
    since       INTEGER NOT NULL,
    PRIMARY KEY (node_id, instance_id)
);

-- Run-once work (ephemeral GC, presence sweep): whoever holds an unexpired lease does it.
CREATE TABLE IF NOT EXISTS ha_leases (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);
