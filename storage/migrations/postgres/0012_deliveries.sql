-- Webhook and e-mail deliveries (docs/webhooks.md, "Delivery"): the worker fans
-- each outbox row out into one webhook_deliveries row per target (an endpoint,
-- or a workflow template's WEBHOOK / EMAIL action, endpoint_id NULL) and logs
-- every attempt in webhook_attempts. outbox.delivered_at means "fanned out at".
-- lease_until/leased_by is the claim: only the leaseholder records an attempt.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    event_id TEXT NOT NULL REFERENCES outbox (id),
    event_type TEXT NOT NULL,
    endpoint_id TEXT,
    target TEXT NOT NULL CHECK (target IN ('endpoint', 'action_webhook', 'action_email')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    first_attempt_at TEXT,
    previous_delay_ms BIGINT NOT NULL DEFAULT 0,
    lease_until TEXT,
    leased_by TEXT,
    last_status BIGINT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((target = 'endpoint') = (endpoint_id IS NOT NULL))
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (org_id, endpoint_id, created_at, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt_no BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    status_code BIGINT,
    latency_ms BIGINT NOT NULL,
    answer_head TEXT NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (delivery_id, attempt_no)
);
