-- The workflow behind a workflow-action delivery (webhooks_action_deliveries_list,
-- docs/webhooks.md "Delivery log"): the fan-out copies data.workflow_id of the
-- workflow.action.* event here, so the admin's log filters by workflow with an
-- index instead of reading every outbox payload. NULL for endpoint deliveries.
ALTER TABLE webhook_deliveries ADD COLUMN workflow_id TEXT;
UPDATE webhook_deliveries SET workflow_id = (
    SELECT CASE WHEN json_valid(o.payload_json)
                THEN json_extract(o.payload_json, '$.data.workflow_id') END
    FROM outbox o WHERE o.id = webhook_deliveries.event_id)
WHERE target <> 'endpoint';
CREATE INDEX webhook_deliveries_workflow ON webhook_deliveries (org_id, workflow_id, created_at, id);
