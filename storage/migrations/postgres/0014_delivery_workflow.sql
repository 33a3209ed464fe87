-- The workflow behind a workflow-action delivery (webhooks_action_deliveries_list,
-- docs/webhooks.md "Delivery log"): the fan-out copies data.workflow_id of the
-- workflow.action.* event here, so the admin's log filters by workflow with an
-- index instead of reading every outbox payload. NULL for endpoint deliveries.
-- The backfill reads the id as text where the emitter writes it (first member
-- of data, server/approvals/workflow_engine.cpp): a cast to jsonb would abort
-- the migration on a payload jsonb refuses (a \u0000 escape, say).
ALTER TABLE webhook_deliveries ADD COLUMN workflow_id TEXT;
UPDATE webhook_deliveries d
SET workflow_id = substring(o.payload_json FROM '"data":\{"workflow_id":"([^"\\]*)"')
FROM outbox o
WHERE o.id = d.event_id AND d.target <> 'endpoint';
CREATE INDEX webhook_deliveries_workflow ON webhook_deliveries (org_id, workflow_id, created_at, id);
