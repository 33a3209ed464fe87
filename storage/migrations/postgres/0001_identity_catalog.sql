-- Identity (orgs, users, API keys) and the catalog (rows, approvals), plus the
-- audit log and the outbox that catalog transitions write in the same
-- transaction. Ids and timestamps are TEXT (UUID, RFC 3339 UTC fixed width);
-- booleans are INTEGER 0/1.
CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    email TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    display_name TEXT NOT NULL,
    org_role TEXT NOT NULL CHECK (org_role IN ('member', 'hr_admin', 'admin', 'super_admin')),
    created_at TEXT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, email_lower)
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX api_keys_org_user ON api_keys (org_id, user_id);

CREATE TABLE catalog_rows (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    slug TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL,
    owner_user_id TEXT,
    category TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, slug)
);

CREATE TABLE catalog_approvals (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    row_id TEXT NOT NULL REFERENCES catalog_rows (id),
    slug TEXT NOT NULL,
    email TEXT NOT NULL,
    email_lower TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'revoked')),
    note TEXT,
    reason TEXT,
    requested_by TEXT,
    approver_id TEXT,
    expires_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, row_id, email_lower)
);
CREATE INDEX catalog_approvals_org_email ON catalog_approvals (org_id, email_lower);
CREATE INDEX catalog_approvals_expiry ON catalog_approvals (state, expires_at);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    actor_id TEXT,
    channel TEXT NOT NULL,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    detail_json TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX audit_log_org_time ON audit_log (org_id, created_at);
CREATE INDEX audit_log_target ON audit_log (org_id, target_type, target_id);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    available_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at TEXT
);
CREATE INDEX outbox_due ON outbox (delivered_at, available_at);
