-- The audit log's query and export (docs/audit.md): who acted (actor_kind:
-- user, agent or system), a before/after summary of updates, and indexes for
-- the three query shapes, each ordered newest first by (created_at, id) so the
-- keyset cursor is one index range: the whole org, one actor, one target.
ALTER TABLE audit_log ADD COLUMN actor_kind TEXT NOT NULL DEFAULT 'user'
    CHECK (actor_kind IN ('user', 'agent', 'system'));
ALTER TABLE audit_log ADD COLUMN before_json TEXT;
ALTER TABLE audit_log ADD COLUMN after_json TEXT;
-- Rows written before this migration: a null actor was the server itself.
UPDATE audit_log SET actor_kind = 'system' WHERE actor_id IS NULL;

DROP INDEX audit_log_org_time;
DROP INDEX audit_log_target;
CREATE INDEX audit_log_org_time ON audit_log (org_id, created_at, id);
CREATE INDEX audit_log_actor_time ON audit_log (org_id, actor_id, created_at, id);
CREATE INDEX audit_log_target_time ON audit_log (org_id, target_type, target_id, created_at, id);
