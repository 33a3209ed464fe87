// People sign in through a real OpenID Provider (npm oidc-provider, pinned,
// driven headless by idp.mjs) with seed 001's CLI operations, refresh with
// rotation, and step up for a requireHighPrivilege vote: counted after a real
// fresh login, refused without one, over REST (bearer and cookie) and MCP.
// Every refusal is checked for its status and reason.
//   node human_auth.mjs <signoff-binary> sqlite|postgres <temp-dir>
import { startIdp, browse, ACR_MFA } from "./idp.mjs";
import { freshDatabase, bootstrap, startSignoff, checks } from "./signoff_server.mjs";

const [binary, backend, tmp] = process.argv.slice(2);
if (!binary || !["sqlite", "postgres"].includes(backend) || !tmp) {
  console.error("usage: node human_auth.mjs <signoff-binary> sqlite|postgres <temp-dir>");
  process.exit(2);
}
const { check, refusedWith, fail, done } = checks();

const idp = await startIdp({
  users: [
    { sub: "alice", email: "alice@acme.example", name: "Alice" },
    { sub: "bob", email: "bob@acme.example", name: "Bob" },
    { sub: "carol", email: "carol@both.example", name: "Carol" },
    { sub: "dave", email: "dave@acme.example", name: "Dave" },
    { sub: "erin", email: "erin@acme.example", name: "Erin", emailVerified: false },
  ],
  clients: [
    {
      client_id: "signoff",
      client_secret: "s3cret-for-tests",
      redirect_uris: ["http://127.0.0.1/callback", "http://localhost/callback"],
      application_type: "native",
      token_endpoint_auth_method: "client_secret_basic",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
    },
  ],
});

const db = freshDatabase(backend, tmp, "human_auth");
const root = bootstrap(binary, db, "acme", "root@acme.example");
const other = bootstrap(binary, db, "globex", "root@globex.example");
const oidcArgs = ["--oidc-issuer", idp.issuer, "--oidc-client-id", "signoff", "--oidc-acr", ACR_MFA, "--test-clock"];
const oidcEnv = { SIGNOFF_OIDC_CLIENT_SECRET: "s3cret-for-tests" };
const signoff = await startSignoff(binary, db, { args: oidcArgs, env: oidcEnv });
const { call } = signoff;
const asRoot = { Authorization: `Bearer ${root.api_key}` };
const asOther = { Authorization: `Bearer ${other.api_key}` };
const redirectUri = "http://127.0.0.1:40111/callback";

/// The whole CLI login: initiate, the browser at the IdP, token.
async function signIn(who, { org } = {}) {
  const init = await call("POST", "/api/v1/auth/cli/initiate", { body: { redirectUri, ...(org ? { org } : {}) } });
  if (init.status !== 200) {
    return init;
  }
  const back = await browse(init.json.authorizationUrl, { loginHint: who });
  if (!back.url) {
    return { status: 0, text: `no redirect: ${JSON.stringify(back)}` };
  }
  return call("POST", "/api/v1/auth/cli/token", {
    body: { code: back.url.searchParams.get("code"), state: back.url.searchParams.get("state") },
  });
}

/// A step-up for `bearer` ending with the exchange at `path`; answers the exchange's reply.
async function stepUp(bearer, loginHint, workflowId, { path = "/api/v1/auth/cli/exchangePrivilegedToken", operation = "vote" } = {}) {
  const start = await call("GET", `/api/v1/auth/cli/initiatePrivilegedTokenExchange?redirectUri=${encodeURIComponent(redirectUri)}`, { headers: bearer });
  if (start.status !== 302) {
    return start;
  }
  const back = await browse(start.headers.get("location"), { loginHint });
  if (!back.url || !back.url.searchParams.get("code")) {
    return { status: 0, text: `no code: ${JSON.stringify(back)}` };
  }
  return call("POST", path, {
    headers: bearer,
    body: { code: back.url.searchParams.get("code"), state: back.url.searchParams.get("state"), operation, resourceId: workflowId },
  });
}

try {
  // ---- people of the orgs ----
  const mkUser = async (headers, email, orgRole) => {
    const r = await call("POST", "/api/v1/users", { headers, body: { email, displayName: email.split("@")[0], orgRole } });
    check(r.status === 201, `user ${email}: ${r.status} ${r.text}`);
    return r.json;
  };
  const alice = await mkUser(asRoot, "alice@acme.example", "admin");
  const bob = await mkUser(asRoot, "bob@acme.example", "admin");
  await mkUser(asRoot, "carol@both.example", "member");
  await mkUser(asOther, "carol@both.example", "member");
  await mkUser(asRoot, "erin@acme.example", "member");

  // ---- the CLI login ----
  const init = await call("POST", "/api/v1/auth/cli/initiate", { body: { redirectUri } });
  check(init.status === 200, `initiate: ${init.status} ${init.text}`);
  const authUrl = new URL(init.json.authorizationUrl);
  check(authUrl.origin === idp.issuer, "the authorization URL is the IdP's");
  check(authUrl.searchParams.get("code_challenge_method") === "S256" && authUrl.searchParams.get("code_challenge")?.length === 43, "PKCE S256");
  check(authUrl.searchParams.get("state")?.length >= 32 && authUrl.searchParams.get("nonce")?.length >= 32, "state and nonce");
  check(authUrl.searchParams.get("redirect_uri") === redirectUri && authUrl.searchParams.get("client_id") === "signoff", "redirect_uri and client_id");
  const back = await browse(init.json.authorizationUrl, { loginHint: "alice@acme.example" });
  check(back.url?.origin === "http://127.0.0.1:40111" && back.url.searchParams.get("state") === authUrl.searchParams.get("state"), `the browser comes back to the loopback: ${back.location}`);
  const code = back.url.searchParams.get("code");
  const state = back.url.searchParams.get("state");
  const issued = await call("POST", "/api/v1/auth/cli/token", { body: { code, state } });
  check(issued.status === 200 && issued.json.accessToken && issued.json.refreshToken, `token: ${issued.status} ${issued.text}`);
  check(issued.headers.get("cache-control") === "no-store", "token answers are not cached");
  const asAlice = { Authorization: `Bearer ${issued.json.accessToken}` };
  const me = await call("GET", `/api/v1/users/${alice.id}`, { headers: asAlice });
  check(me.status === 200, `alice's token works on REST: ${me.status} ${me.text}`);
  refusedWith(await call("POST", "/api/v1/auth/cli/token", { body: { code, state } }), 401, "used already", "a reused state");

  // ---- hostile logins ----
  for (const bad of ["https://127.0.0.1:4000/cb", "http://evil.example/cb", "http://127.0.0.1.evil.example/cb", "http://user@127.0.0.1/cb", "http://127.0.0.1:4000/cb#x", "javascript:alert(1)"]) {
    const r = await call("POST", "/api/v1/auth/cli/initiate", { body: { redirectUri: bad } });
    check(r.status === 400 && r.json?.details?.[0]?.field === "redirectUri", `redirectUri ${bad} is refused: ${r.status} ${r.text}`);
  }
  for (const good of ["http://localhost:5000/cb", "http://[::1]:6000/x"]) {
    const r = await call("POST", "/api/v1/auth/cli/initiate", { body: { redirectUri: good } });
    check(r.status === 200, `redirectUri ${good} is a loopback: ${r.status} ${r.text}`);
  }
  refusedWith(await call("POST", "/api/v1/auth/cli/token", { body: { code: "made-up", state: "made-up" } }), 401, "unknown state", "a state never issued");
  refusedWith(await signIn("dave@acme.example"), 403, "no Signoff user has this e-mail", "an e-mail no user has (provisioning off)");
  refusedWith(await signIn("erin@acme.example"), 401, "no verified e-mail", "an unverified e-mail");
  const both = await signIn("carol@both.example");
  check(both.status === 400 && both.json?.details?.[0]?.field === "org", `an e-mail in two orgs needs the org: ${both.status} ${both.text}`);
  const carolGlobex = await signIn("carol@both.example", { org: "globex" });
  check(carolGlobex.status === 200, `naming the org signs carol in to globex: ${carolGlobex.status} ${carolGlobex.text}`);
  const globexUsers = await call("GET", "/api/v1/users", { headers: { Authorization: `Bearer ${carolGlobex.json.accessToken}` } });
  check(globexUsers.status === 200 && globexUsers.json.users.every((u) => u.email !== "alice@acme.example"), "carol's token is globex's");

  // ---- step-up for a requireHighPrivilege vote ----
  const group = await call("POST", "/api/v1/groups", { headers: asRoot, body: { name: "high-approvers" } });
  const gid = group.json.id;
  await call("POST", `/api/v1/groups/${gid}/entities`, { headers: asRoot, body: { entities: [
    { entity: { entityType: "human", entityId: alice.id } },
    { entity: { entityType: "human", entityId: bob.id } },
  ] } });
  const space = await call("POST", "/api/v1/spaces", { headers: asRoot, body: { name: "prod" } });
  const tmpl = await call("POST", "/api/v1/workflow-templates", { headers: asRoot, body: {
    name: "prod-deploy",
    spaceId: space.json.id,
    approvalRule: { type: "GROUP_REQUIREMENT", groupId: gid, minCount: 1, requireHighPrivilege: true },
    actions: [],
  } });
  check(tmpl.status === 201, `template: ${tmpl.text}`);
  const newWorkflow = async (name) => {
    const w = await call("POST", "/api/v1/workflows", { headers: asRoot, body: { name, workflowTemplateId: tmpl.json.id } });
    check(w.status === 201, `workflow ${name}: ${w.text}`);
    return w.json.id;
  };
  const w1 = await newWorkflow("deploy-1");
  const w2 = await newWorkflow("deploy-2");
  const approve = { voteType: { type: "APPROVE", votedForGroups: [] } };

  const can = await call("GET", `/api/v1/workflows/${w1}/canVote`, { headers: asAlice });
  check(can.json?.canVote === false && can.json?.cantVoteReason === "HIGH_PRIVILEGE_REQUIRED" && can.json?.requireHighPrivilege === true, `canVote says a step-up is missing: ${can.text}`);
  const plain = await call("POST", `/api/v1/workflows/${w1}/vote`, { headers: asAlice, body: approve });
  refusedWith(plain, 401, "HIGH_PRIVILEGE_REQUIRED", "a vote without a step-up");
  check(/Bearer error="insufficient_user_authentication"/.test(plain.headers.get("www-authenticate") ?? ""), `RFC 9470 challenge: ${plain.headers.get("www-authenticate")}`);
  const none = await call("GET", `/api/v1/workflows/${w1}/votes`, { headers: asRoot });
  check(none.json?.votes?.length === 0, `nothing was stored: ${none.text}`);

  const start = await call("GET", `/api/v1/auth/cli/initiatePrivilegedTokenExchange?redirectUri=${encodeURIComponent(redirectUri)}`, { headers: asAlice });
  check(start.status === 302, `step-up start redirects: ${start.status} ${start.text}`);
  const forced = new URL(start.headers.get("location"));
  check(forced.searchParams.get("prompt") === "login" && forced.searchParams.get("max_age") === "0" && forced.searchParams.get("acr_values") === ACR_MFA, `forced fresh login with acr_values: ${forced}`);
  refusedWith(await call("GET", `/api/v1/auth/cli/initiatePrivilegedTokenExchange?redirectUri=${encodeURIComponent(redirectUri)}`), 401, "missing credentials", "step-up without a credential");

  const priv = await stepUp(asAlice, "alice@acme.example", w1);
  check(priv.status === 200 && priv.json?.accessToken && priv.json.expiresIn <= 120, `privileged token: ${priv.status} ${priv.text}`);
  const asPriv = { Authorization: `Bearer ${priv.json.accessToken}` };
  const elsewhere = await call("POST", `/api/v1/workflows/${w2}/vote`, { headers: asPriv, body: approve });
  refusedWith(elsewhere, 401, "HIGH_PRIVILEGE_REQUIRED", "a privileged token for another workflow");
  const counted = await call("POST", `/api/v1/workflows/${w1}/vote`, { headers: asPriv, body: approve });
  check(counted.status === 200 && counted.json?.status === "APPROVED", `the stepped-up vote is counted: ${counted.status} ${counted.text}`);
  refusedWith(await call("GET", `/api/v1/users/${alice.id}`, { headers: asPriv }), 401, "used already", "a spent privileged token");

  // Wrong operation, wrong person, weak acr, another caller's state.
  const badOp = await stepUp(asAlice, "alice@acme.example", w2, { operation: "delete" });
  check(badOp.status === 400 && badOp.json?.details?.[0]?.field === "operation", `an unknown operation: ${badOp.status} ${badOp.text}`);
  idp.forceUser = "bob";
  refusedWith(await stepUp(asAlice, "alice@acme.example", w2), 403, "someone else", "a fresh login by another person");
  idp.forceUser = undefined;
  idp.denyAcr = true;
  refusedWith(await stepUp(asAlice, "alice@acme.example", w2), 403, "below the required acr", "an acr below the required one");
  idp.denyAcr = false;
  {
    const s2 = await call("GET", `/api/v1/auth/cli/initiatePrivilegedTokenExchange?redirectUri=${encodeURIComponent(redirectUri)}`, { headers: asAlice });
    const b2 = await browse(s2.headers.get("location"), { loginHint: "alice@acme.example" });
    const bobSignedIn = await signIn("bob@acme.example");
    const asBob = { Authorization: `Bearer ${bobSignedIn.json.accessToken}` };
    refusedWith(await call("POST", "/api/v1/auth/cli/exchangePrivilegedToken", { headers: asBob, body: {
      code: b2.url.searchParams.get("code"), state: b2.url.searchParams.get("state"), operation: "vote", resourceId: w2 } }), 403, "started by someone else", "another caller's step-up state");
  }

  // The browser variant: the cookie the request authenticator reads.
  const web = await stepUp(asAlice, "alice@acme.example", w2, { path: "/api/v1/auth/web/exchangePrivilegedToken" });
  check(web.status === 204, `web exchange: ${web.status} ${web.text}`);
  const setCookie = web.headers.get("set-cookie") ?? "";
  check(/^signoff_privilege=/.test(setCookie) && /HttpOnly/.test(setCookie) && /Secure/.test(setCookie) && /SameSite=Strict/.test(setCookie), `cookie attributes: ${setCookie}`);
  const cookie = setCookie.split(";")[0];
  const byCookie = await call("POST", `/api/v1/workflows/${w2}/vote`, { headers: { ...asAlice, Cookie: cookie }, body: approve });
  check(byCookie.status === 200 && byCookie.json?.status === "APPROVED", `a vote with the step-up cookie is counted: ${byCookie.status} ${byCookie.text}`);

  // MCP: the privilegedToken argument (stdio has no other channel; HTTP too).
  const w3 = await newWorkflow("deploy-3");
  const init2 = await call("POST", "/mcp", {
    headers: { ...asAlice, Accept: "application/json, text/event-stream" },
    body: { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "t", version: "1" } } },
  });
  check(init2.status === 200, `MCP initialize with alice's token: ${init2.status} ${init2.text}`);
  const session = init2.headers.get("mcp-session-id");
  const tool = (id, args) => call("POST", "/mcp", {
    headers: { ...asAlice, Accept: "application/json, text/event-stream", "Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18" },
    body: { jsonrpc: "2.0", id, method: "tools/call", params: { name: "approvals_votes_cast", arguments: args } },
  });
  const mcpRefused = await tool(3, { workflowId: w3, ...approve });
  check(mcpRefused.json?.result?.isError === true && /step up/.test(JSON.stringify(mcpRefused.json.result.content)), `MCP: a vote without a step-up says how to step up: ${mcpRefused.text}`);
  const p3 = await stepUp(asAlice, "alice@acme.example", w3);
  const mcpCounted = await tool(4, { workflowId: w3, ...approve, privilegedToken: p3.json.accessToken });
  check(mcpCounted.json?.result?.isError === false && mcpCounted.json.result.structuredContent?.status === "APPROVED", `MCP: the privilegedToken argument counts: ${mcpCounted.text}`);
  const w4 = await newWorkflow("deploy-4");
  const p4 = await stepUp(asAlice, "alice@acme.example", w4);
  const bobToken = (await signIn("bob@acme.example")).json.accessToken;
  const bobWithAlices = await call("POST", `/api/v1/workflows/${w4}/vote`, { headers: { Authorization: `Bearer ${bobToken}`, Cookie: `signoff_privilege=${p4.json.accessToken}` }, body: approve });
  refusedWith(bobWithAlices, 401, "HIGH_PRIVILEGE_REQUIRED", "someone else's step-up cookie counts for nothing");

  // A stale login: the exchange comes more than 30 s after the IdP's auth_time.
  {
    const s5 = await call("GET", `/api/v1/auth/cli/initiatePrivilegedTokenExchange?redirectUri=${encodeURIComponent(redirectUri)}`, { headers: asAlice });
    const b5 = await browse(s5.headers.get("location"), { loginHint: "alice@acme.example" });
    await call("POST", "/api/v1/test/clock", { body: { advanceSeconds: 45 } });
    refusedWith(await call("POST", "/api/v1/auth/cli/exchangePrivilegedToken", { headers: asAlice, body: {
      code: b5.url.searchParams.get("code"), state: b5.url.searchParams.get("state"), operation: "vote", resourceId: w4 } }), 403, "no fresh login", "a stale auth_time");
  }

  // ---- refresh: rotation and reuse ----
  const fresh = await signIn("bob@acme.example");
  const r1 = fresh.json.refreshToken;
  const rotated = await call("POST", "/api/v1/auth/cli/refresh", { body: { refreshToken: r1 } });
  check(rotated.status === 200 && rotated.json.refreshToken !== r1, `refresh rotates: ${rotated.status} ${rotated.text}`);
  await call("POST", "/api/v1/test/clock", { body: { advanceSeconds: 31 } });
  refusedWith(await call("POST", "/api/v1/auth/cli/refresh", { body: { refreshToken: r1 } }), 401, "whole session is revoked", "a reused refresh token");
  refusedWith(await call("POST", "/api/v1/auth/cli/refresh", { body: { refreshToken: rotated.json.refreshToken } }), 401, "revoked", "the family's newer token");
  refusedWith(await call("GET", `/api/v1/users/${bob.id}`, { headers: { Authorization: `Bearer ${rotated.json.accessToken}` } }), 401, "session has ended", "the family's access token");

  // ---- deactivation ends a signed-in user's sessions ----
  const bobAgain = await signIn("bob@acme.example");
  const off = await call("POST", `/api/v1/users/${bob.id}/deactivate`, { headers: asRoot, body: {} });
  check(off.status === 200, `deactivate bob: ${off.status} ${off.text}`);
  refusedWith(await call("GET", `/api/v1/users/${bob.id}`, { headers: { Authorization: `Bearer ${bobAgain.json.accessToken}` } }), 401, "session has ended", "a deactivated user's token");
  refusedWith(await signIn("bob@acme.example"), 403, "deactivated", "a deactivated user signing in");
} catch (e) {
  fail(`threw ${e.stack}`);
} finally {
  signoff.stop();
  await idp.stop();
}

// ---- provisioning on: an unknown verified e-mail naming the org becomes a member ----
let code2 = 0;
try {
  const db2 = freshDatabase(backend, tmp, "human_auth_provision");
  bootstrap(binary, db2, "acme", "root@acme.example");
  const idp2 = await startIdp({
    users: [{ sub: "dave", email: "dave@acme.example", name: "Dave" }],
    clients: [{ client_id: "signoff", client_secret: "s3cret-for-tests", redirect_uris: ["http://127.0.0.1/callback"], application_type: "native", token_endpoint_auth_method: "client_secret_basic", grant_types: ["authorization_code"], response_types: ["code"] }],
  });
  const s2 = await startSignoff(binary, db2, {
    args: ["--oidc-issuer", idp2.issuer, "--oidc-client-id", "signoff", "--oidc-provisioning", "member"],
    env: { SIGNOFF_OIDC_CLIENT_SECRET: "s3cret-for-tests" },
  });
  try {
    const loginAs = async (org) => {
      const init = await s2.call("POST", "/api/v1/auth/cli/initiate", { body: { redirectUri, ...(org ? { org } : {}) } });
      const back = await browse(init.json.authorizationUrl, { loginHint: "dave@acme.example" });
      return s2.call("POST", "/api/v1/auth/cli/token", { body: { code: back.url.searchParams.get("code"), state: back.url.searchParams.get("state") } });
    };
    refusedWith(await loginAs(undefined), 403, "name the org", "provisioning needs the org named");
    const made = await loginAs("acme");
    check(made.status === 200, `provisioned into acme: ${made.status} ${made.text}`);
    const meList = await s2.call("GET", "/api/v1/users?search=dave", { headers: { Authorization: `Bearer ${made.json.accessToken}` } });
    check(meList.json?.users?.[0]?.orgRole === "member", `provisioned as a member: ${meList.text}`);
  } finally {
    s2.stop();
    await idp2.stop();
  }
} catch (e) {
  fail(`provisioning threw ${e.stack}`);
}
code2 = done(`human_auth (${backend})`, signoff.log());
process.exit(code2);
