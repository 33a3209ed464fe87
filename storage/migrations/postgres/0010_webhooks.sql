-- Outbound webhook endpoints (docs/webhooks.md): one per employee (kind
-- 'employee', owner_user_id set, unique per org and owner) and any number of
-- org-wide integrations (kind 'org', owner_user_id NULL: NULLs never clash in
-- a UNIQUE constraint on either back end). The signing secret is stored in
-- clear because HMAC needs it; previous_secret keeps signing until
-- previous_secret_expires_at after a rotation. events is the subscribed event
-- types joined by commas, or '*' for all. The delivery worker counts
-- consecutive_failures and disables the endpoint at 10.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    owner_user_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('employee', 'org')),
    name TEXT,
    description TEXT,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    scheme TEXT NOT NULL CHECK (scheme IN ('signoff', 'fluxdesk')),
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_expires_at TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    disabled_at TEXT,
    disabled_reason TEXT,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    CHECK ((kind = 'employee') = (owner_user_id IS NOT NULL)),
    UNIQUE (org_id, owner_user_id)
);
CREATE INDEX webhook_endpoints_org_kind ON webhook_endpoints (org_id, kind, enabled);
