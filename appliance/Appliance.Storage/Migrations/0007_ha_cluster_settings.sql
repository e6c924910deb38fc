-- Issue 17: what several appliances on one database must agree on (docs/ops/ha.md, "Settings that must agree").
-- The tables exist on both engines so the stores are the same everywhere; only a shared (PostgreSQL) database fills
-- them. Shipped: never edit; add a numbered file.

-- Each instance's fingerprint of its settings: a JSON object {key: fingerprint}, compared with every live instance's
-- (ha_instances holds the leases). Rows of instances that are gone are deleted by the sweeping instance.
CREATE TABLE IF NOT EXISTS ha_instance_settings (
    instance_id TEXT    NOT NULL PRIMARY KEY,
    settings    TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- Secrets the instances share, sealed (AEAD) under a key derived from database.cluster_key_file, never in clear
-- text: today the Noise private key (name 'noise'). public_key is the secret's public half, so an instance can tell
-- whether its own key file is the cluster's without decrypting. docs/decisions/0098-cluster-noise-key.md.
CREATE TABLE IF NOT EXISTS ha_secrets (
    name       TEXT    NOT NULL PRIMARY KEY,
    public_key TEXT    NOT NULL,
    sealed     TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
