-- 0004 on PostgreSQL: the tables of 0004_ha_changes.sql in PostgreSQL's types, plus the triggers that make every
-- committed change to a tailnet table visible to the other appliances on this database (docs/ops/ha.md). A trigger
-- writes the ha_changes row in the writer's own transaction (so a change is recorded exactly when it commits) and
-- NOTIFYs its sequence number on channel appliance_changes (delivered at commit; a listener that missed it catches up
-- by reading ha_changes by sequence). origin is the writer's application_name, which each appliance sets to its
-- instance id, so an instance skips the changes it made itself. Shipped: never edit; add a numbered file.

CREATE TABLE ha_changes (
    seq        BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity     TEXT    NOT NULL,
    row_id     BIGINT  NOT NULL,
    origin     TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);

CREATE TABLE ha_instances (
    instance_id TEXT    NOT NULL PRIMARY KEY,
    started_at  BIGINT  NOT NULL,
    lease_until BIGINT  NOT NULL
);

CREATE TABLE ha_presence (
    node_id     BIGINT  NOT NULL,
    instance_id TEXT    NOT NULL,
    since       BIGINT  NOT NULL,
    PRIMARY KEY (node_id, instance_id)
);

CREATE TABLE ha_leases (
    name       TEXT    NOT NULL PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at BIGINT  NOT NULL
);

-- TG_ARGV[0]: the entity name the listeners dispatch on; TG_ARGV[1]: the column holding the row's id.
CREATE FUNCTION ha_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed_row jsonb;
    new_seq     BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed_row := to_jsonb(OLD);
    ELSE
        changed_row := to_jsonb(NEW);
    END IF;
    INSERT INTO ha_changes (entity, row_id, origin, created_at)
    VALUES (TG_ARGV[0], (changed_row ->> TG_ARGV[1])::BIGINT, coalesce(current_setting('application_name', true), ''),
            (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT)
    RETURNING seq INTO new_seq;
    PERFORM pg_notify('appliance_changes', new_seq::TEXT);
    RETURN NULL;
END
$$;

CREATE TRIGGER nodes_ha_change AFTER INSERT OR UPDATE OR DELETE ON nodes
    FOR EACH ROW EXECUTE FUNCTION ha_record_change('node', 'id');
CREATE TRIGGER users_ha_change AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION ha_record_change('user', 'id');
CREATE TRIGGER policy_versions_ha_change AFTER INSERT ON policy_versions
    FOR EACH ROW EXECUTE FUNCTION ha_record_change('policy', 'id');
CREATE TRIGGER ha_presence_ha_change AFTER INSERT OR DELETE ON ha_presence
    FOR EACH ROW EXECUTE FUNCTION ha_record_change('presence', 'node_id');
