-- Signoff's own tokens (docs/identity.md): everything any replica must be able
-- to check lives here, never in one process's memory.
--
-- signing_keys: the keys access tokens are signed with. One current key
-- (retires_at NULL); a rotated key keeps verifying until retires_at, and is
-- published in /.well-known/jwks.json until then.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    alg TEXT NOT NULL,
    private_pem TEXT NOT NULL,
    created_at TEXT NOT NULL,
    retires_at TEXT
);
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (alg) WHERE retires_at IS NULL;

-- A login session: the refresh tokens rotated from one sign-in. Revoking it
-- ends its access tokens at once (they name it in `sid`). dpop_jkt: the key
-- thumbprint every refresh proof (and request, for bound tokens) must match.
CREATE TABLE token_families (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    principal_kind TEXT NOT NULL CHECK (principal_kind IN ('user', 'agent')),
    principal_id TEXT NOT NULL,
    dpop_jkt TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX token_families_principal ON token_families (principal_kind, principal_id);

-- Opaque refresh tokens, stored only as the SHA-256 hex of the token.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL REFERENCES token_families (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Agent challenges: the nonce is the assertion's jti, consumed exactly once.
CREATE TABLE agent_challenges (
    nonce TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents (id),
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX agent_challenges_expiry ON agent_challenges (expires_at);

-- DPoP proofs seen (RFC 9449 §11.1): SHA-256 hex of key thumbprint and jti,
-- kept until the proof could no longer be accepted anyway.
CREATE TABLE dpop_proofs (
    proof_key TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
);
CREATE INDEX dpop_proofs_expiry ON dpop_proofs (expires_at);

-- Agent names become unique across the system (seed 001): the agent name
-- alone finds the agent and its org. The earliest agent of each name keeps
-- it; later ones are left NULL here and renamed at the first start
-- (server/identity, data check "agent-names-global"), audited in their org.
ALTER TABLE agents ADD COLUMN global_name_key TEXT;
ALTER TABLE agents ADD COLUMN revoked_at TEXT;
UPDATE agents SET global_name_key = name_key
WHERE NOT EXISTS (
    SELECT 1 FROM agents AS earlier
    WHERE earlier.name_key = agents.name_key
      AND (earlier.created_at < agents.created_at
           OR (earlier.created_at = agents.created_at AND earlier.id < agents.id))
);
CREATE UNIQUE INDEX agents_global_name ON agents (global_name_key);
