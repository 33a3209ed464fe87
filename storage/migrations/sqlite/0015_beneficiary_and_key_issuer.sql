-- Trust fixes (docs/approvals.md "Who counts toward a grant",
-- docs/catalog-and-identity.md "API keys").
--
-- The person a catalog workflow decides for: neither they nor an agent they
-- registered may vote on it. Existing catalog workflows take it from the
-- approval that started them (one workflow per approval request).
ALTER TABLE workflows ADD COLUMN beneficiary_email TEXT;
UPDATE workflows
SET beneficiary_email = (SELECT MIN(a.email_lower) FROM catalog_approvals a
                         WHERE a.workflow_id = workflows.id)
WHERE id IN (SELECT a.workflow_id FROM catalog_approvals a WHERE a.workflow_id IS NOT NULL);

-- Who minted a key (NULL: the operator, through `signoff admin bootstrap`),
-- an optional label, and an optional expiry after which it stops working.
ALTER TABLE api_keys ADD COLUMN issued_by TEXT;
ALTER TABLE api_keys ADD COLUMN name TEXT;
ALTER TABLE api_keys ADD COLUMN expires_at TEXT;
