-- One-off checks of stored data that run at the first start after an upgrade
-- (server/identity: e-mail addresses stored before only plain addresses were
-- accepted, docs/catalog-and-identity.md "E-mail addresses"). A row records
-- that a check ran, so it runs once per database, whichever replica starts first.
CREATE TABLE data_checks (
    name TEXT PRIMARY KEY,
    done_at TEXT NOT NULL,
    findings INTEGER NOT NULL
);
