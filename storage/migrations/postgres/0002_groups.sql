-- Groups of the approvals domain (APPROVALS.md "Spaces and groups") and their
-- memberships. A member is an entity: a human (users.id) or an agent. Auths
-- (0003) name an owning group whose members may edit them.
CREATE TABLE approval_groups (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, name_lower)
);

CREATE TABLE group_members (
    org_id TEXT NOT NULL REFERENCES orgs (id),
    group_id TEXT NOT NULL REFERENCES approval_groups (id),
    entity_type TEXT NOT NULL CHECK (entity_type IN ('human', 'agent')),
    entity_id TEXT NOT NULL,
    added_at TEXT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, entity_type, entity_id)
);
CREATE INDEX group_members_entity ON group_members (org_id, entity_type, entity_id);
