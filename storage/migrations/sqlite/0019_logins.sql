-- Sign-ins through the configured OpenID Provider (docs/identity.md): one row
-- per authorization request Signoff started, found again by its `state` when
-- the code comes back; single-use, 10 minutes. kind: cli (seed 001's CLI
-- login) or step_up (a fresh login for a privileged operation, bound to the
-- caller who asked for it).
CREATE TABLE login_requests (
    state TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('cli', 'step_up')),
    code_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    org_name TEXT,
    caller_org_id TEXT,
    caller_user_id TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX login_requests_expiry ON login_requests (expires_at);

-- The IdP's subject of a user, recorded at their first sign-in: later
-- sign-ins, step-ups and IdP access tokens are matched on it first.
ALTER TABLE users ADD COLUMN idp_subject TEXT;
CREATE INDEX users_idp_subject ON users (idp_subject);

-- Privileged (step-up) tokens: single use, bound to the user, the operation
-- and the resource; the row is what makes a second use fail on any replica.
CREATE TABLE step_up_tokens (
    jti TEXT PRIMARY KEY,
    org_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    operation TEXT NOT NULL,
    resource_id TEXT,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
