-- Agents of the approvals domain (APPROVALS.md "Organisation and principals"):
-- machine principals registered by humans. Only the public key (SPKI PEM) is
-- stored; the private key is answered once at registration and never written.
-- Names are unique per org case-insensitively through name_key, the SHA-256
-- hex of the lowercase name (a 1024-character name would not fit a btree
-- index entry on PostgreSQL).
CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, name_key)
);
