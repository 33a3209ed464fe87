-- Uploads: files the server produced for a caller (auths_export's CSV), kept
-- as ordered chunks so that neither writing nor reading holds a whole file in
-- memory. An upload is visible once `complete` is 1.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    owner_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0,
    via_mcp INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX uploads_owner ON uploads (org_id, owner_id, created_at);

CREATE TABLE upload_chunks (
    upload_id TEXT NOT NULL REFERENCES uploads (id),
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (upload_id, seq)
);
