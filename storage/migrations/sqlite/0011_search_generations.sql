-- Generations of each org's search rows, so that a server's in-memory search
-- index can catch up with the rows written since it was built (including by
-- other replicas). Every write of a search row bumps the org's generation in
-- the writing transaction and stamps the row (or the deletion) with it; the
-- row lock on auth_search_state orders generations like the commits.
-- reload_below: an index older than this generation must reload everything
-- (set by a full rebuild, which forgets the deletions).
CREATE TABLE auth_search_state (
    org_id TEXT PRIMARY KEY REFERENCES orgs (id),
    gen INTEGER NOT NULL,
    reload_below INTEGER NOT NULL DEFAULT 0
);

ALTER TABLE auth_search ADD COLUMN gen INTEGER NOT NULL DEFAULT 0;
CREATE INDEX auth_search_gen ON auth_search (org_id, gen);

CREATE TABLE auth_search_deletions (
    org_id TEXT NOT NULL,
    gen INTEGER NOT NULL,
    auth_id TEXT NOT NULL,
    PRIMARY KEY (org_id, gen, auth_id)
);
