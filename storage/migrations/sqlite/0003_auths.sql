-- SQLite only: auth_parts, auth_part_links and auth_departments are WITHOUT
-- ROWID, so a look-up by their text primary key is one B-tree search instead
-- of an index search plus a table search, and an auth's links are stored
-- together in key order (the export reads them as one sequential range).
-- The auth-artifact domain (DESIGN.md §3): reusable parts, departments, auths
-- composed of them, private drafts, and the search view. Single-valued parts
-- (name, description, flag) are columns; many-valued parts (protocol, slug,
-- item) are ordered link rows. Values keep their case; *_lower columns are
-- what lookups and uniqueness compare.
CREATE TABLE auth_parts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL CHECK (kind IN ('name', 'description', 'flag', 'protocol', 'slug', 'item')),
    value TEXT NOT NULL,
    value_lower TEXT NOT NULL,
    created_at TEXT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, kind, value_lower)
) WITHOUT ROWID;

CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    created_at TEXT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0,
    UNIQUE (org_id, name_lower)
);

CREATE TABLE auths (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    name_part_id TEXT NOT NULL REFERENCES auth_parts (id),
    description_part_id TEXT REFERENCES auth_parts (id),
    flag_part_id TEXT REFERENCES auth_parts (id),
    group_id TEXT REFERENCES approval_groups (id),
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX auths_org ON auths (org_id, id);

CREATE TABLE auth_part_links (
    org_id TEXT NOT NULL,
    auth_id TEXT NOT NULL REFERENCES auths (id),
    kind TEXT NOT NULL CHECK (kind IN ('protocol', 'slug', 'item')),
    position INTEGER NOT NULL,
    part_id TEXT NOT NULL REFERENCES auth_parts (id),
    PRIMARY KEY (auth_id, kind, position)
) WITHOUT ROWID;

CREATE TABLE auth_departments (
    org_id TEXT NOT NULL,
    auth_id TEXT NOT NULL REFERENCES auths (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (auth_id, department_id)
) WITHOUT ROWID;
-- Led by department_id, not org_id: lookups by auth (org_id, auth_id) must
-- use the primary key, and SQLite without statistics would otherwise take
-- this index for its org_id equality and scan the org. Covers the facets.
CREATE INDEX auth_departments_dept ON auth_departments (department_id, org_id, auth_id);

-- One row per auth: what search reads. `document` is the lowercase text of
-- the auth's name, description, slugs and protocol names; `departments` its
-- department ids, sorted, as ",id1,id2," ("," for none), so that one scan
-- yields the page, the total and the department facets; rewritten in the
-- transaction of every auth write, rebuilt for an org by auths_refresh.
-- SQLite only: WITHOUT ROWID clusters the rows in (org, name) order, so a
-- text search scans one org's rows in page order instead of following an
-- index into 100,000 scattered table rows (measured: ~90 ms → ~15 ms).
CREATE TABLE auth_search (
    auth_id TEXT NOT NULL UNIQUE REFERENCES auths (id),
    org_id TEXT NOT NULL,
    sort_name TEXT NOT NULL,
    document TEXT NOT NULL,
    departments TEXT NOT NULL DEFAULT ',',
    PRIMARY KEY (org_id, sort_name, auth_id)
) WITHOUT ROWID;

CREATE TABLE auth_drafts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    owner_id TEXT NOT NULL,
    auth_id TEXT REFERENCES auths (id),
    base_version INTEGER,
    version INTEGER NOT NULL,
    name_part_id TEXT REFERENCES auth_parts (id),
    description_part_id TEXT REFERENCES auth_parts (id),
    flag_part_id TEXT REFERENCES auth_parts (id),
    group_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    via_mcp INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX auth_drafts_owner ON auth_drafts (org_id, owner_id, updated_at);
CREATE INDEX auth_drafts_auth ON auth_drafts (auth_id, org_id);

CREATE TABLE draft_part_links (
    org_id TEXT NOT NULL,
    draft_id TEXT NOT NULL REFERENCES auth_drafts (id),
    kind TEXT NOT NULL CHECK (kind IN ('protocol', 'slug', 'item')),
    position INTEGER NOT NULL,
    part_id TEXT NOT NULL REFERENCES auth_parts (id),
    PRIMARY KEY (draft_id, kind, position)
);

CREATE TABLE draft_departments (
    org_id TEXT NOT NULL,
    draft_id TEXT NOT NULL REFERENCES auth_drafts (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (draft_id, department_id)
);
