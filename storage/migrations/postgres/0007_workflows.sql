-- Workflows and their votes (APPROVALS.md "Workflows", "Votes"), and the tie
-- from catalog rows to workflow templates. A workflow row points at the
-- template version it was started from; votes are an append-only log whose
-- latest vote per entity stands. Every change of a workflow's status is a
-- conditional UPDATE … WHERE status = 'EVALUATION_IN_PROGRESS' taken after the
-- row is locked by a row_version bump, so exactly one transition wins.
CREATE TABLE workflows (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    template_id TEXT NOT NULL REFERENCES workflow_templates (id),
    -- the template's name, for cancelWorkflows over every version
    template_name_lower TEXT NOT NULL,
    space_id TEXT NOT NULL,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    description TEXT NOT NULL,
    metadata TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('EVALUATION_IN_PROGRESS', 'APPROVED', 'REJECTED',
                                           'EXPIRED', 'CANCELED')),
    -- why a terminal status was reached (veto reason, expiry, cancellation)
    status_reason TEXT,
    expires_at TEXT NOT NULL,
    created_by_type TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    row_version BIGINT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, name_lower)
);
-- Listings are newest first under each filter; each index ends with the
-- listing's order so that a page is an index range, never a scan and sort.
CREATE INDEX workflows_org_created ON workflows (org_id, created_at, id);
CREATE INDEX workflows_org_status ON workflows (org_id, status, created_at, id);
CREATE INDEX workflows_org_template ON workflows (org_id, template_name_lower, created_at, id);
CREATE INDEX workflows_org_template_id ON workflows (org_id, template_id, created_at, id);
CREATE INDEX workflows_due ON workflows (status, expires_at);

CREATE TABLE workflow_votes (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    workflow_id TEXT NOT NULL REFERENCES workflows (id),
    entity_type TEXT NOT NULL CHECK (entity_type IN ('human', 'agent')),
    entity_id TEXT NOT NULL,
    vote_type TEXT NOT NULL CHECK (vote_type IN ('APPROVE', 'VETO', 'WITHDRAW')),
    reason TEXT,
    -- JSON array of group ids (APPROVE only; empty: every group of the voter)
    voted_for_groups TEXT NOT NULL,
    high_privilege INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX workflow_votes_workflow ON workflow_votes (workflow_id, created_at, id);

-- A catalog row may name a workflow template (by its lowercase name, so the
-- tie survives new versions); a request on it starts a workflow, whose id the
-- approval keeps so that the outcome finds it.
ALTER TABLE catalog_rows ADD COLUMN workflow_template TEXT;
ALTER TABLE catalog_approvals ADD COLUMN workflow_id TEXT;
CREATE INDEX catalog_approvals_workflow ON catalog_approvals (workflow_id);
