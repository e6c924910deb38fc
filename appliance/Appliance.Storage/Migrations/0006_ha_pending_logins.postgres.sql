-- 0006 on PostgreSQL: the table of 0006_ha_pending_logins.sql in PostgreSQL's types, plus the trigger that tells the
-- other appliances when a waiting login was decided (claimed, approved or refused), so the one holding the client's
-- Followup poll answers it at once (entity 'login', row_id; docs/ops/ha.md). Inserts need no notification: listing
-- and finding read the table. Shipped: never edit; add a numbered file.
CREATE TABLE IF NOT EXISTS pending_logins (
    row_id      BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    machine_key TEXT    NOT NULL,
    request     TEXT    NOT NULL,
    auth_url    TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    state       TEXT    NOT NULL,
    node_id     BIGINT,
    error       TEXT,
    instance_id TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS pending_logins_expires ON pending_logins (expires_at);

CREATE TRIGGER pending_logins_ha_change AFTER UPDATE ON pending_logins
    FOR EACH ROW EXECUTE FUNCTION ha_record_change('login', 'row_id');
