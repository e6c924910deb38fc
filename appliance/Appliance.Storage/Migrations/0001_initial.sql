-- 0001: the first schema. Shipped migrations are never edited: change the schema with a new numbered file.
-- Conventions (docs/storage.md): times are INTEGER unix milliseconds UTC; keys are their Tailscale text form
-- (mkey:/nodekey:/discokey:); lists are JSON arrays of strings; booleans are INTEGER 0/1; every table is STRICT.

CREATE TABLE users (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL UNIQUE,
    display_name TEXT,
    email        TEXT,
    created_at   INTEGER NOT NULL
) STRICT;

-- The secret part of a pre-auth key is never stored: only its SHA-256 (32 bytes).
-- prefix is the public identifier shown in lists and used to find the row.
CREATE TABLE pre_auth_keys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    prefix      TEXT    NOT NULL UNIQUE,
    hash        BLOB    NOT NULL CHECK (length(hash) = 32),
    user_id     INTEGER REFERENCES users (id) ON DELETE CASCADE,
    tags        TEXT    NOT NULL DEFAULT '[]',
    reusable    INTEGER NOT NULL CHECK (reusable IN (0, 1)),
    ephemeral   INTEGER NOT NULL CHECK (ephemeral IN (0, 1)),
    used_count  INTEGER NOT NULL DEFAULT 0,
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) STRICT;

CREATE INDEX pre_auth_keys_user ON pre_auth_keys (user_id);

-- AUTOINCREMENT: a node id is never reused after a delete, because clients and logs refer to it.
-- Tagged nodes have no user (user_id NULL). given_name is the MagicDNS label, unique and lower-case.
CREATE TABLE nodes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    machine_key     TEXT    NOT NULL UNIQUE,
    node_key        TEXT    NOT NULL UNIQUE,
    disco_key       TEXT,
    hostname        TEXT    NOT NULL,
    given_name      TEXT    NOT NULL UNIQUE,
    user_id         INTEGER REFERENCES users (id) ON DELETE RESTRICT,
    tags            TEXT    NOT NULL DEFAULT '[]',
    ipv4            TEXT    UNIQUE,
    ipv6            TEXT    UNIQUE,
    endpoints       TEXT    NOT NULL DEFAULT '[]',
    hostinfo        TEXT,
    approved_routes TEXT    NOT NULL DEFAULT '[]',
    key_expiry      INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_seen       INTEGER,
    ephemeral       INTEGER NOT NULL CHECK (ephemeral IN (0, 1)),
    auth_key_id     INTEGER REFERENCES pre_auth_keys (id) ON DELETE SET NULL,
    register_method TEXT    NOT NULL
) STRICT;

CREATE INDEX nodes_user ON nodes (user_id);
CREATE INDEX nodes_auth_key ON nodes (auth_key_id);

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    prefix       TEXT    NOT NULL UNIQUE,
    hash         BLOB    NOT NULL CHECK (length(hash) = 32),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER
) STRICT;

-- Every policy ever applied, newest last; the current policy is the row with the highest id.
CREATE TABLE policy_versions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    sha256     TEXT    NOT NULL
) STRICT;
