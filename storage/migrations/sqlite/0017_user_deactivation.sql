-- Deactivated users (docs/catalog-and-identity.md "Off-boarding"): while set,
-- no key of the user authenticates; NULL: active. Deactivation also revokes
-- the user's keys, so reactivation restores none.
ALTER TABLE users ADD COLUMN deactivated_at TEXT;
