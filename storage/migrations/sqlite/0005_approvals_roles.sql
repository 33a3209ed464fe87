-- Scoped role bindings of the approvals domain (APPROVALS.md "Roles"): one row
-- per (principal, role, scope), a per-principal optimistic version that role
-- replacement checks, and the time a user became an org admin (org admins are
-- users whose org_role is admin or super_admin; see docs/approvals.md).
CREATE TABLE role_bindings (
    org_id TEXT NOT NULL REFERENCES orgs (id),
    principal_type TEXT NOT NULL CHECK (principal_type IN ('human', 'agent')),
    principal_id TEXT NOT NULL,
    role_name TEXT NOT NULL,
    scope_type TEXT NOT NULL CHECK (scope_type IN ('org', 'space', 'group', 'workflow_template')),
    -- group id, space id or template name; '' for the org scope
    scope_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, principal_type, principal_id, role_name, scope_type, scope_id)
);
CREATE INDEX role_bindings_scope ON role_bindings (org_id, scope_type, scope_id);

CREATE TABLE principal_roles (
    org_id TEXT NOT NULL REFERENCES orgs (id),
    principal_type TEXT NOT NULL CHECK (principal_type IN ('human', 'agent')),
    principal_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_id, principal_type, principal_id)
);

ALTER TABLE users ADD COLUMN admin_since TEXT;
