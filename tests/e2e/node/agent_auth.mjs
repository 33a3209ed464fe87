// Agents as first-class principals, end to end: an agent starts from nothing
// but its private key, signs in with seed 001's three operations (challenge,
// RFC 7523 assertion, DPoP refresh), then calls REST and MCP over HTTP as
// itself. Assertions and proofs are made with an independent JOSE library
// (npm jose, pinned). Every refusal is checked for its status and reason.
//   node agent_auth.mjs <signoff-binary> sqlite|postgres <temp-dir>
// postgres needs SIGNOFF_TEST_PG_DSN (a server the test scripts started).
import { execFileSync } from "node:child_process";
import { createPrivateKey, createPublicKey, privateDecrypt, constants, createHmac, randomUUID } from "node:crypto";
import * as jose from "jose";
import { freshDatabase, bootstrap, startSignoff, checks } from "./signoff_server.mjs";

const [binary, backend, tmp] = process.argv.slice(2);
if (!binary || !["sqlite", "postgres"].includes(backend) || !tmp) {
  console.error("usage: node agent_auth.mjs <signoff-binary> sqlite|postgres <temp-dir>");
  process.exit(2);
}

const { check, refusedWith, fail, done } = checks();

const db = freshDatabase(backend, tmp, "agent_auth");
const boot = bootstrap(binary, db, "agents", "root@agents.example");
const signoff = await startSignoff(binary, db, { args: ["--test-clock"] });
const { call, base } = signoff;
const issuer = base;
const admin = { Authorization: `Bearer ${boot.api_key}` };

// The server's clock runs ahead of ours once the test moves it
// (serve --test-clock, a test-build control): proofs and assertions follow it.
let skewMs = 0;
const nowSec = () => Math.floor((Date.now() + skewMs) / 1000);
async function advance(seconds) {
  const r = await call("POST", "/api/v1/test/clock", { body: { advanceSeconds: seconds } });
  check(r.status === 200, `test clock: ${r.status} ${r.text}`);
  skewMs += seconds * 1000;
}

async function register(name) {
  const r = await call("POST", "/api/v1/agents/register", { body: { agentName: name }, headers: admin });
  check(r.status === 201, `register ${name}: 201, got ${r.status} ${r.text}`);
  const pem = Buffer.from(r.json.privateKey, "base64").toString();
  return { id: r.json.agentId ?? r.json.id, name, key: createPrivateKey(pem), pem };
}

async function challenge(agent) {
  const r = await call("POST", "/api/v1/auth/agents/challenge", { body: { agentName: agent.name } });
  check(r.status === 200, `challenge: 200, got ${r.status} ${r.text}`);
  const plain = privateDecrypt(
    { key: agent.key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: "sha256" },
    Buffer.from(r.json.challenge, "base64")
  );
  return JSON.parse(plain.toString());
}

async function assertion(agent, nonce, overrides = {}, alg = "RS256", key = agent.key) {
  const now = nowSec();
  const claims = { iss: agent.name, sub: agent.name, aud: issuer, exp: now + 300, iat: now, jti: nonce, ...overrides };
  return new jose.SignJWT(claims).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
}

function tokenRequest(clientAssertion) {
  return {
    grantType: "urn:ietf:params:oauth:grant-type:jwt-bearer",
    clientAssertionType: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    clientAssertion,
  };
}

async function proof(agent, htm, htu, extra = {}, withJwk = true) {
  const header = { alg: "RS256", typ: "dpop+jwt" };
  if (withJwk) {
    header.jwk = await jose.exportJWK(createPublicKey(agent.key));
  }
  return new jose.SignJWT({ htm, htu, jti: randomUUID(), iat: nowSec(), ...extra })
    .setProtectedHeader(header)
    .sign(agent.key);
}


try {
  // ---- from nothing to a token ----
  const agent = await register("ci-deploy-agent");
  const doc = await challenge(agent);
  check(doc.audience === agent.name, `challenge audience is the agent name: ${JSON.stringify(doc)}`);
  check(doc.issuer === issuer, `challenge issuer is the public URL: ${doc.issuer}`);
  check(/^[0-9a-f]{64}$/.test(doc.nonce), "challenge nonce is 64 hex digits");
  check(Date.parse(doc.expires_at) > Date.now(), "challenge expires in the future");
  const jwks = await call("GET", "/.well-known/jwks.json");
  check(jwks.status === 200 && jwks.json.keys.length >= 1, `jwks: ${jwks.text}`);

  const issued = await call("POST", "/api/v1/auth/agents/token", { body: tokenRequest(await assertion(agent, doc.nonce)) });
  check(issued.status === 200, `token: 200, got ${issued.status} ${issued.text}`);
  check(issued.headers.get("cache-control") === "no-store", "token answers are not cached");
  const { accessToken, refreshToken } = issued.json;
  // The access token is verifiable by anyone through the published JWKS.
  const verified = await jose.jwtVerify(accessToken, jose.createLocalJWKSet(jwks.json), { issuer, audience: issuer });
  check(verified.payload.kind === "agent" && verified.payload.sub === agent.id, `claims: ${JSON.stringify(verified.payload)}`);

  // ---- the nonce is single-use ----
  refusedWith(
    await call("POST", "/api/v1/auth/agents/token", { body: tokenRequest(await assertion(agent, doc.nonce)) }),
    401, "already used", "a reused challenge nonce"
  );

  // ---- acting as itself over REST and MCP ----
  const bearer = { Authorization: `Bearer ${accessToken}` };
  const self = await call("GET", `/api/v1/agents/${encodeURIComponent(agent.name)}`, { headers: bearer });
  check(self.status === 200, `agent reads itself over REST: ${self.status} ${self.text}`);
  const human = await call("POST", "/api/v1/agents/register", { body: { agentName: "spawned" }, headers: bearer });
  check(human.status === 403, `an agent may not register agents (humans only): ${human.status} ${human.text}`);
  const audit = await call("GET", "/api/v1/users", { headers: admin });
  check(audit.status === 200, "the admin still works");

  const init = await call("POST", "/mcp", {
    headers: { ...bearer, Accept: "application/json, text/event-stream" },
    body: { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "agent", version: "1" } } },
  });
  check(init.status === 200, `MCP initialize with the agent's token: ${init.status} ${init.text}`);
  const session = init.headers.get("mcp-session-id");
  const mcpHeaders = { ...bearer, Accept: "application/json, text/event-stream", "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" };
  await call("POST", "/mcp", { headers: mcpHeaders, body: { jsonrpc: "2.0", method: "notifications/initialized" } });
  const got = await call("POST", "/mcp", {
    headers: mcpHeaders,
    body: { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "identity_agents_get", arguments: { agentIdOrName: agent.name } } },
  });
  check(got.status === 200 && got.json?.result?.isError === false, `MCP tools/call as the agent: ${got.text}`);
  const denied = await call("POST", "/mcp", {
    headers: mcpHeaders,
    body: { jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "identity_agents_register", arguments: { agentName: "spawned" } } },
  });
  check(denied.json?.result?.isError === true && denied.json.result.structuredContent?.code === "permission_denied",
    `MCP: an agent may not register agents: ${denied.text}`);

  // ---- hostile assertions ----
  const fresh = async () => (await challenge(agent)).nonce;
  const tokenWith = async (jwt) => call("POST", "/api/v1/auth/agents/token", { body: tokenRequest(jwt) });
  refusedWith(await tokenWith(await assertion(agent, await fresh(), { aud: "https://elsewhere.example" })), 401, "aud must be", "wrong aud");
  refusedWith(await tokenWith(await assertion(agent, await fresh(), { aud: undefined })), 401, "aud must be", "missing aud");
  refusedWith(await tokenWith(await assertion(agent, await fresh(), { exp: Math.floor(Date.now() / 1000) - 120 })), 401, "expired", "expired assertion");
  refusedWith(await tokenWith(await assertion(agent, await fresh(), { sub: "someone-else" })), 401, "iss and sub", "sub is not the agent");
  refusedWith(await tokenWith(await assertion(agent, "f".repeat(64))), 401, "not a challenge issued", "a nonce never issued");
  const other = await register("other-agent");
  const othersNonce = (await challenge(other)).nonce;
  refusedWith(await tokenWith(await assertion(agent, othersNonce)), 401, "not a challenge issued", "another agent's nonce");
  {
    const nonce = await fresh();
    const header = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(JSON.stringify({ iss: agent.name, sub: agent.name, aud: issuer, exp: now + 60, jti: nonce })).toString("base64url");
    refusedWith(await tokenWith(`${header}.${payload}.`), 401, "RS256 signature", "alg none");
    // HS256 keyed with the agent's public key PEM (algorithm confusion).
    const publicPem = createPublicKey(agent.key).export({ type: "spki", format: "pem" });
    const hs = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");
    const mac = createHmac("sha256", publicPem).update(`${hs}.${payload}`).digest("base64url");
    refusedWith(await tokenWith(`${hs}.${payload}.${mac}`), 401, "RS256 signature", "HS256 signed with the public key");
    // Signed by another agent's key.
    refusedWith(await tokenWith(await assertion(agent, nonce, {}, "RS256", other.key)), 401, "RS256 signature", "another key");
    // The nonce was not spent by the refusals above.
    const ok = await tokenWith(await assertion(agent, nonce));
    check(ok.status === 200, `refusals spend no nonce: ${ok.status} ${ok.text}`);
  }
  const wrongGrant = await call("POST", "/api/v1/auth/agents/token", { body: { ...tokenRequest("a.b.c"), grantType: "password" } });
  check(wrongGrant.status === 400, `wrong grantType: 400, got ${wrongGrant.status}`);
  const unknown = await call("POST", "/api/v1/auth/agents/challenge", { body: { agentName: "nobody" } });
  check(unknown.status === 404, `challenge for an unknown agent: 404, got ${unknown.status}`);

  // ---- DPoP refresh ----
  const refreshUrl = `${issuer}/api/v1/auth/agents/refresh`;
  const refreshWith = async (token, dpop) =>
    call("POST", "/api/v1/auth/agents/refresh", { body: { refreshToken: token }, headers: dpop ? { DPoP: dpop } : {} });
  refusedWith(await refreshWith(refreshToken, null), 401, "DPoP proof", "refresh without a proof");
  refusedWith(await refreshWith(refreshToken, await proof(agent, "GET", refreshUrl)), 401, "htm", "proof htm mismatch");
  refusedWith(await refreshWith(refreshToken, await proof(agent, "POST", `${issuer}/api/v1/auth/agents/token`)), 401, "htu", "proof htu mismatch");
  refusedWith(await refreshWith(refreshToken, await proof(agent, "POST", refreshUrl, { iat: Math.floor(Date.now() / 1000) - 3600 })), 401, "iat", "stale proof");
  refusedWith(await refreshWith(refreshToken, await proof(other, "POST", refreshUrl)), 401, "key this session is bound to", "proof by another key");
  const replayed = await proof(agent, "POST", refreshUrl);
  const renewed = await refreshWith(refreshToken, replayed);
  check(renewed.status === 200 && renewed.json.tokenType === "DPoP", `refresh with a proof: ${renewed.status} ${renewed.text}`);
  refusedWith(await refreshWith(renewed.json.refreshToken, replayed), 401, "replayed", "a replayed DPoP jti");
  // Seed 001's clients sign proofs with the registered key and send no jwk.
  const seedStyle = await refreshWith(renewed.json.refreshToken, await proof(agent, "POST", refreshUrl, {}, false));
  check(seedStyle.status === 200, `refresh with a proof without jwk header: ${seedStyle.status} ${seedStyle.text}`);

  // ---- a DPoP-bound access token needs a proof on every request ----
  const bound = seedStyle.json.accessToken;
  const path = `/api/v1/agents/${encodeURIComponent(agent.name)}`;
  const asBearer = await call("GET", path, { headers: { Authorization: `Bearer ${bound}` } });
  refusedWith(asBearer, 401, "DPoP-bound", "a bound token sent as Bearer");
  const ath = jose.base64url.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(bound))));
  const good = await call("GET", path, { headers: { Authorization: `DPoP ${bound}`, DPoP: await proof(agent, "GET", base + path, { ath }) } });
  check(good.status === 200, `a bound token with its proof: ${good.status} ${good.text}`);
  const noAth = await call("GET", path, { headers: { Authorization: `DPoP ${bound}`, DPoP: await proof(agent, "GET", base + path) } });
  refusedWith(noAth, 401, "ath", "a proof without ath");

  // ---- agent names at the byte limit sign in ----
  const longest = await register("n".repeat(99) + "\u00e9".slice(0, 0) + "x");
  const longDoc = await challenge(longest);
  const longTok = await tokenWith(await assertion(longest, longDoc.nonce));
  check(longTok.status === 200, `a 100-byte agent name signs in: ${longTok.status} ${longTok.text}`);
  const tooLong = await call("POST", "/api/v1/agents/register", { body: { agentName: "n".repeat(101) }, headers: admin });
  check(tooLong.status === 400, `a 101-byte agent name is refused at registration: ${tooLong.status}`);
  const sameName = await call("POST", "/api/v1/agents/register", { body: { agentName: "CI-DEPLOY-AGENT" }, headers: admin });
  check(sameName.status === 409, `agent names are unique ignoring case: ${sameName.status}`);

  // ---- refresh-token reuse revokes the whole session ----
  {
    const doc2 = await challenge(agent);
    const first = await tokenWith(await assertion(agent, doc2.nonce));
    const r1 = first.json.refreshToken;
    const second = await refreshWith(r1, await proof(agent, "POST", refreshUrl));
    check(second.status === 200, `first refresh: ${second.status} ${second.text}`);
    const again = await refreshWith(r1, await proof(agent, "POST", refreshUrl));
    check(again.status === 200, `the same token again within the 30 s grace: ${again.status} ${again.text}`);
    await advance(31);
    refusedWith(await refreshWith(r1, await proof(agent, "POST", refreshUrl)), 401, "whole session is revoked", "reuse after the grace");
    refusedWith(await refreshWith(second.json.refreshToken, await proof(agent, "POST", refreshUrl)), 401, "revoked", "the family's newer token after reuse");
    const dead = await call("GET", path, { headers: { Authorization: `Bearer ${first.json.accessToken}` } });
    refusedWith(dead, 401, "session has ended", "an access token of the revoked session");
  }

  // ---- access tokens expire ----
  {
    const doc3 = await challenge(agent);
    const t = await tokenWith(await assertion(agent, doc3.nonce));
    const ok = await call("GET", path, { headers: { Authorization: `Bearer ${t.json.accessToken}` } });
    check(ok.status === 200, `a fresh access token: ${ok.status}`);
    await advance(601);
    refusedWith(await call("GET", path, { headers: { Authorization: `Bearer ${t.json.accessToken}` } }), 401, "expired", "an access token after 10 minutes");
    const later = await refreshWith(t.json.refreshToken, await proof(agent, "POST", refreshUrl));
    check(later.status === 200, `its refresh token still works: ${later.status} ${later.text}`);
    // An expired challenge.
    const doc4 = await challenge(agent);
    await advance(601);
    refusedWith(await tokenWith(await assertion(agent, doc4.nonce)), 401, "challenge has expired", "an expired challenge");
  }

  // ---- who may revoke an agent ----
  {
    const victim = await register("victim-agent");
    const doc5 = await challenge(victim);
    const signedIn = await tokenWith(await assertion(victim, doc5.nonce));
    const victimBearer = { Authorization: `Bearer ${signedIn.json.accessToken}` };
    check((await call("GET", path, { headers: victimBearer })).status === 200, "the victim's token works");

    const member = await call("POST", "/api/v1/users", { body: { email: "member@agents.example", displayName: "M", orgRole: "member" }, headers: admin });
    check(member.status === 201, `member created: ${member.text}`);
    const memberKey = await call("POST", `/api/v1/users/${member.json.id}/api-keys`, { body: {}, headers: admin });
    const asMember = { Authorization: `Bearer ${memberKey.json.apiKey}` };
    const outsider = bootstrap(binary, db, "elsewhere", "root@elsewhere.example");
    const asOutsider = { Authorization: `Bearer ${outsider.api_key}` };
    const revokePath = `/api/v1/agents/${encodeURIComponent(victim.name)}/revoke`;

    const byNobody = await call("POST", revokePath, { body: {} });
    check(byNobody.status === 401, `revoke without a credential: 401, got ${byNobody.status}`);
    const byMember = await call("POST", revokePath, { body: {}, headers: asMember });
    check(byMember.status === 403, `a member who did not register it: 403, got ${byMember.status} ${byMember.text}`);
    const byAgent = await call("POST", revokePath, { body: {}, headers: victimBearer });
    check(byAgent.status === 403, `an agent (even itself): 403, got ${byAgent.status} ${byAgent.text}`);
    const byOutsider = await call("POST", revokePath, { body: {}, headers: asOutsider });
    check(byOutsider.status === 404, `another org's admin: 404, got ${byOutsider.status} ${byOutsider.text}`);
    check((await call("GET", path, { headers: victimBearer })).status === 200, "refusals revoke nothing");

    const listed = await call("GET", "/api/v1/agents?limit=100", { headers: asMember });
    check(listed.status === 200 && listed.json.agents.some((a) => a.name === victim.name && a.revoked === false), `list agents: ${listed.text}`);
    const foreign = await call("GET", "/api/v1/agents", { headers: asOutsider });
    check(foreign.status === 200 && foreign.json.agents.length === 0 && foreign.json.pagination.total === 0, `another org lists none of ours: ${foreign.text}`);

    const revoked = await call("POST", revokePath, { body: {}, headers: admin });
    check(revoked.status === 200 && typeof revoked.json.revokedAt === "string", `an admin revokes: ${revoked.status} ${revoked.text}`);
    refusedWith(await call("GET", path, { headers: victimBearer }), 401, "session has ended", "the revoked agent's token, at once");
    const noChallenge = await call("POST", "/api/v1/auth/agents/challenge", { body: { agentName: victim.name } });
    check(noChallenge.status === 404, `a revoked agent gets no challenge: ${noChallenge.status}`);
    const twice = await call("POST", revokePath, { body: {}, headers: admin });
    check(twice.status === 200 && twice.json.revokedAt === revoked.json.revokedAt, "revoking twice answers the same agent");
    const relisted = await call("GET", "/api/v1/agents?limit=100", { headers: admin });
    check(relisted.json.agents.some((a) => a.name === victim.name && a.revoked === true), "the list shows it revoked");
  }

  // ---- the operator rotates the signing key; the old one verifies through the overlap ----
  {
    const kidOf = (token) => JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString()).kid;
    const before = await tokenWith(await assertion(agent, (await challenge(agent)).nonce));
    const oldKid = kidOf(before.json.accessToken);
    const rotated = JSON.parse(execFileSync(binary, ["admin", "signing-key", "rotate", "--db", db, "--overlap", "1800"]).toString());
    check(rotated.current !== oldKid && rotated.verifying.includes(oldKid) && rotated.verifying.length === 2, `rotation keeps the old key verifying: ${JSON.stringify(rotated)}`);
    const self = `/api/v1/agents/${encodeURIComponent(agent.name)}`;
    check((await call("GET", self, { headers: { Authorization: `Bearer ${before.json.accessToken}` } })).status === 200, "a token of the old key works during the overlap");
    await advance(61);  // replicas re-read keys at least once a minute
    const after = await tokenWith(await assertion(agent, (await challenge(agent)).nonce));
    check(kidOf(after.json.accessToken) === rotated.current, "new tokens are signed with the new key");
    const keys = await call("GET", "/.well-known/jwks.json");
    check(keys.json.keys.map((k) => k.kid).sort().join() === [...rotated.verifying].sort().join(), `the JWKS publishes both keys: ${keys.text}`);
    check((await call("GET", self, { headers: { Authorization: `Bearer ${before.json.accessToken}` } })).status === 200, "the old key still verifies");
    await advance(1800);
    refusedWith(await call("GET", self, { headers: { Authorization: `Bearer ${before.json.accessToken}` } }), 401, "signature does not verify", "a token of a retired key");
    const last = await call("GET", "/.well-known/jwks.json");
    check(last.json.keys.length === 1 && last.json.keys[0].kid === rotated.current, `a retired key leaves the JWKS: ${last.text}`);
  }
} catch (e) {
  fail(`threw ${e.stack}`);
} finally {
  signoff.stop();
}

process.exit(done(`agent_auth (${backend})`, signoff.log()));
