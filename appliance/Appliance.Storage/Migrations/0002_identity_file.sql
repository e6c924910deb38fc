-- Issue 14: people come from the identity file (docs/identity.md). The database keeps what the running tailnet
-- needs from it: the role (role autogroups), the groups (group:NAME in policies) and whether the person may log
-- in. Secrets (password hash, TOTP secret) stay in the file only.
-- role: '' (member) or owner, admin, network-admin, it-admin, billing-admin, auditor.
-- groups: JSON array of group names without the "group:" prefix.
-- disabled: 1 when the file says so or no longer lists the person.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN groups TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1));
