-- Spaces and versioned workflow templates of the approvals domain
-- (APPROVALS.md "Spaces and groups", "Workflow templates"). A template row is
-- one version; all versions of a name share name_lower, and at most one of
-- them is ACTIVE. The approval rule, the actions and the metadata are JSON
-- text written by server/approvals (see docs/approvals.md).
CREATE TABLE spaces (
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

CREATE TABLE workflow_templates (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    space_id TEXT NOT NULL REFERENCES spaces (id),
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    -- the template version number (1, 2, …) of this name
    version BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'PENDING_DEPRECATION', 'DEPRECATED')),
    allow_voting_on_deprecated INTEGER NOT NULL,
    description TEXT NOT NULL,
    metadata TEXT NOT NULL,
    approval_rule TEXT NOT NULL,
    actions TEXT NOT NULL,
    -- NULL: workflows take the 30-day default
    default_expires_in_hours BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- concurrencyControl.version, carried from each version to the next
    row_version BIGINT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, name_lower, version)
);
CREATE UNIQUE INDEX workflow_templates_one_active ON workflow_templates (org_id, name_lower)
    WHERE status = 'ACTIVE';
CREATE INDEX workflow_templates_space ON workflow_templates (org_id, space_id);
