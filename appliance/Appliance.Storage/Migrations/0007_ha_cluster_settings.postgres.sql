-- 0007 on PostgreSQL: the tables of 0007_ha_cluster_settings.sql with BIGINT for SQLite's 64-bit INTEGER (unix
-- milliseconds). Shipped: never edit; add a numbered file.
CREATE TABLE IF NOT EXISTS ha_instance_settings (
    instance_id TEXT    NOT NULL PRIMARY KEY,
    settings    TEXT    NOT NULL,
    updated_at  BIGINT  NOT NULL
);

CREATE TABLE IF NOT EXISTS ha_secrets (
    name       TEXT    NOT NULL PRIMARY KEY,
    public_key TEXT    NOT NULL,
    sealed     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
