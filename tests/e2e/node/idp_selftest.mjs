// Self-test of the headless test IdP (idp.mjs): drives authorization code
// flows with PKCE through browse(), exchanges codes at the token endpoint and
// verifies the tokens with an independent JOSE library (npm jose, pinned).
//   node idp_selftest.mjs
// Exits 0 when every check passes; prints each failed check to stderr.
import { createHash, randomBytes } from "node:crypto";
import * as jose from "jose";
import { startIdp, browse, CookieJar, ACR_MFA, ACR_PWD } from "./idp.mjs";

let failed = 0;
let passed = 0;
function check(cond, what) {
  if (cond) {
    passed++;
  } else {
    failed++;
    console.error(`FAILED: ${what}`);
  }
}

const CLIENT = {
  client_id: "signoff",
  client_secret: "s3cret",
  redirect_uris: ["http://127.0.0.1/callback", "http://localhost/callback"],
  application_type: "native",
  token_endpoint_auth_method: "client_secret_basic",
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
};
const REDIRECT = "http://127.0.0.1:40123/callback";
const RESOURCE = "http://127.0.0.1:9999/mcp";

const idp = await startIdp({
  users: [{ sub: "alice-sub", email: "alice@example.com", name: "Alice Example" }],
  clients: [CLIENT],
});

const b64url = (buf) => Buffer.from(buf).toString("base64url");

// An authorization request built by hand; returns the URL and what the
// client keeps (verifier, state, nonce).
function authorization(extra = {}, { pkce = true } = {}) {
  const verifier = b64url(randomBytes(32));
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const url = new URL(`${idp.issuer}/auth`);
  const params = {
    response_type: "code",
    client_id: CLIENT.client_id,
    redirect_uri: REDIRECT,
    scope: "openid email profile",
    state,
    nonce,
    ...(pkce ? { code_challenge: b64url(createHash("sha256").update(verifier).digest()), code_challenge_method: "S256" } : {}),
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return { url: url.href, verifier, state, nonce };
}

async function token(form, { id = CLIENT.client_id, secret = CLIENT.client_secret } = {}) {
  const res = await fetch(`${idp.issuer}/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString("base64")}`,
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await res.json() };
}

async function exchange(req, result, extra = {}) {
  return token({
    grant_type: "authorization_code",
    code: result.url?.searchParams.get("code") ?? "",
    redirect_uri: REDIRECT,
    code_verifier: req.verifier,
    ...extra,
  });
}

const discovery = await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json();
const JWKS = jose.createRemoteJWKSet(new URL(discovery.jwks_uri));

async function idToken(tokens, nonce) {
  const { payload } = await jose.jwtVerify(tokens.id_token, JWKS, { issuer: idp.issuer, audience: CLIENT.client_id });
  check(payload.nonce === nonce, `id_token nonce ${payload.nonce} == ${nonce}`);
  return payload;
}

// A full login: browse, check the redirect, exchange, verify the id_token.
async function login(extra, { loginHint = "alice@example.com", jar, tokenExtra } = {}) {
  const req = authorization(extra);
  const result = await browse(req.url, { loginHint, jar });
  check(result.location?.startsWith(`${REDIRECT}?`), `redirect to the client: ${JSON.stringify(result.location ?? result)}`);
  check(result.url?.searchParams.get("state") === req.state, "state echoed");
  check(result.url?.searchParams.get("iss") === idp.issuer, "iss parameter on the redirect (RFC 9207)");
  const tokens = await exchange(req, result, tokenExtra);
  check(tokens.status === 200, `token exchange: ${tokens.status} ${JSON.stringify(tokens.body)}`);
  if (tokens.status !== 200) return { req, result, tokens: tokens.body, claims: {} };
  const claims = await idToken(tokens.body, req.nonce);
  return { req, result, tokens: tokens.body, claims };
}

const now = () => Math.floor(Date.now() / 1000);

try {
  // Discovery says what the tests rely on.
  check(discovery.issuer === idp.issuer && idp.issuer === `http://127.0.0.1:${idp.port}`, "issuer and port");
  check(
    JSON.stringify(discovery.acr_values_supported) === JSON.stringify([ACR_PWD, ACR_MFA]),
    `acr_values_supported ${discovery.acr_values_supported}`,
  );
  check(JSON.stringify(discovery.code_challenge_methods_supported) === '["S256"]', "PKCE S256 only");
  check(discovery.claims_parameter_supported === true, "claims parameter supported");
  check(discovery.authorization_response_iss_parameter_supported === true, "iss parameter advertised");

  // 1. mfa login on an arbitrary loopback port.
  {
    const { claims, tokens } = await login({ acr_values: ACR_MFA });
    check(claims.sub === "alice-sub", `sub ${claims.sub}`);
    check(claims.email === "alice@example.com", `email ${claims.email}`);
    check(claims.email_verified === true, "email_verified");
    check(claims.name === "Alice Example", `name ${claims.name}`);
    check(claims.acr === ACR_MFA, `acr ${claims.acr}`);
    check(JSON.stringify(claims.amr) === '["pwd","otp"]', `amr ${JSON.stringify(claims.amr)}`);
    check(typeof claims.auth_time === "number" && Math.abs(now() - claims.auth_time) <= 60, `auth_time ${claims.auth_time}`);
    check(typeof tokens.refresh_token === "string", "refresh token issued to a client allowed the refresh_token grant");
    const refreshed = await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" });
    check(refreshed.status === 200 && typeof refreshed.body.access_token === "string", `refresh: ${JSON.stringify(refreshed.body)}`);
    const badSecret = await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "" }, { secret: "nope" });
    check(badSecret.status === 401 && badSecret.body.error === "invalid_client", `wrong client secret: ${JSON.stringify(badSecret.body)}`);
  }

  // 2. PKCE: required, S256 only, and the verifier is checked.
  {
    const none = await browse(authorization({}, { pkce: false }).url, { loginHint: "alice@example.com" });
    check(none.url?.searchParams.get("error") === "invalid_request", `no PKCE refused: ${JSON.stringify(none.location)}`);
    const plain = await browse(authorization({ code_challenge: "a".repeat(43), code_challenge_method: "plain" }).url, {
      loginHint: "alice@example.com",
    });
    check(plain.error === "invalid_request", `plain PKCE refused: ${plain.location}`);
    const req = authorization();
    const result = await browse(req.url, { loginHint: "alice@example.com" });
    const wrong = await exchange({ ...req, verifier: b64url(randomBytes(32)) }, result);
    check(wrong.status === 400 && wrong.body.error === "invalid_grant", `wrong code_verifier: ${JSON.stringify(wrong.body)}`);
  }

  // 3. Sessions: a shared jar reuses the session; prompt=login&max_age=0 and
  // max_age=0 force a fresh login.
  {
    const jar = new CookieJar();
    const first = await login({ acr_values: ACR_PWD }, { jar });
    const count = idp.logins.length;
    const again = await login({ acr_values: ACR_PWD }, { jar });
    check(idp.logins.length === count, "same jar, no prompt: the session is reused (no new login)");
    check(again.claims.auth_time === first.claims.auth_time, "reused session keeps auth_time");
    const fresh = await login({ acr_values: ACR_PWD, prompt: "login", max_age: "0" }, { jar });
    check(idp.logins.length === count + 1, "prompt=login&max_age=0: a fresh login");
    // No sleeping to make the second tick: the login count above shows the
    // fresh login; its auth_time is the time of that login, never earlier.
    check(fresh.claims.auth_time >= first.claims.auth_time, `fresh auth_time ${fresh.claims.auth_time} >= ${first.claims.auth_time}`);
    const maxAgeOnly = await login({ acr_values: ACR_PWD, max_age: "0" }, { jar });
    check(idp.logins.length === count + 2, "max_age=0 alone: a fresh login even within the same second");
    check(maxAgeOnly.claims.auth_time >= fresh.claims.auth_time, "auth_time does not go back");
    const stepUp = await login({ acr_values: ACR_MFA }, { jar });
    check(idp.logins.length === count + 3 && stepUp.claims.acr === ACR_MFA, "acr_values above the session's acr: step-up login");
  }

  // 4. denyAcr: the login gets pwd whatever was asked.
  {
    idp.denyAcr = true;
    const { claims } = await login({ acr_values: ACR_MFA });
    idp.denyAcr = false;
    check(claims.acr === ACR_PWD, `denyAcr: acr ${claims.acr}`);
    check(JSON.stringify(claims.amr) === '["pwd"]', `denyAcr: amr ${JSON.stringify(claims.amr)}`);
  }

  // 5. forceUser: the login is done as someone else, also over an existing session.
  {
    idp.addUser({ sub: "bob-sub", email: "bob@example.com", name: "Bob Example" });
    const jar = new CookieJar();
    await login({}, { jar });
    idp.forceUser = "bob-sub";
    const { claims } = await login({ acr_values: ACR_MFA }, { loginHint: "alice@example.com" });
    const overSession = await login({ acr_values: ACR_MFA, prompt: "login" }, { loginHint: "alice@example.com", jar });
    idp.forceUser = undefined;
    check(claims.sub === "bob-sub" && claims.email === "bob@example.com", `forceUser: ${claims.sub} ${claims.email}`);
    check(claims.acr === ACR_MFA, "forceUser keeps the requested acr");
    check(overSession.claims.sub === "bob-sub", `forceUser over alice's session: ${overSession.claims.sub}`);
    const back = await login({}, { loginHint: "alice@example.com" });
    check(back.claims.sub === "alice-sub", "forceUser cleared: login_hint picks the user again");
  }

  // 6. Errors come back as values: unknown user, unregistered redirect_uri.
  {
    const unknown = await browse(authorization().url, { loginHint: "mallory@example.com" });
    check(unknown.location?.startsWith(REDIRECT) && unknown.error === "access_denied", `unknown login_hint: ${unknown.location}`);
    check(unknown.url?.searchParams.get("iss") === idp.issuer, "error redirect carries iss");
    const badRedirect = await browse(authorization({ redirect_uri: "http://127.0.0.1:40123/elsewhere" }).url, {
      loginHint: "alice@example.com",
    });
    check(badRedirect.location === null && badRedirect.error === "invalid_redirect_uri", `bad redirect_uri: ${JSON.stringify(badRedirect.error)}`);
  }

  // 7. Resource indicators: a JWT access token for the resource.
  {
    const refused = await browse(authorization({ resource: RESOURCE, scope: "openid signoff:read" }).url, {
      loginHint: "alice@example.com",
    });
    check(refused.error === "invalid_target", `unregistered resource refused: ${refused.location}`);
    idp.allowResource(RESOURCE);
    for (const tokenExtra of [{ resource: RESOURCE }, {}]) {
      const label = tokenExtra.resource ? "resource repeated at the token endpoint" : "resource only at /auth";
      const { tokens, claims } = await login({ resource: RESOURCE, scope: "openid signoff:read", acr_values: ACR_MFA }, { tokenExtra });
      let at = {};
      try {
        ({ payload: at } = await jose.jwtVerify(tokens.access_token ?? "", JWKS, {
          issuer: idp.issuer,
          audience: RESOURCE,
          typ: "at+jwt",
        }));
      } catch (err) {
        check(false, `${label}: access token verifies: ${err.message}`);
      }
      check(at.aud === RESOURCE, `${label}: aud ${at.aud}`);
      check(String(at.scope).split(" ").includes("signoff:read"), `${label}: scope ${at.scope}`);
      check(!String(at.scope).split(" ").includes("signoff:write"), `${label}: only the requested scope`);
      check(at.sub === "alice-sub" && at.client_id === CLIENT.client_id, `${label}: sub/client_id`);
      check(at.acr === ACR_MFA && at.auth_time === claims.auth_time, `${label}: acr ${at.acr}, auth_time ${at.auth_time}`);
      check(tokens.scope?.split(" ").includes("signoff:read"), `${label}: token response scope ${tokens.scope}`);
      if (tokenExtra.resource) {
        const refreshed = await token({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "", resource: RESOURCE });
        let rat = {};
        try {
          ({ payload: rat } = await jose.jwtVerify(refreshed.body.access_token ?? "", JWKS, { issuer: idp.issuer, audience: RESOURCE }));
        } catch (err) {
          check(false, `refreshed access token verifies: ${err.message} ${JSON.stringify(refreshed.body)}`);
        }
        check(rat.acr === ACR_MFA && rat.auth_time === claims.auth_time, "refreshed access token keeps acr and auth_time");
      }
    }
    // requireTokenResource: without resource= at the token endpoint the
    // access token is the opaque one for userinfo.
    idp.requireTokenResource = true;
    const strict = await login({ resource: RESOURCE, scope: "openid signoff:read" });
    idp.requireTokenResource = false;
    check(
      typeof strict.tokens.access_token === "string" && strict.tokens.access_token.split(".").length !== 3,
      `requireTokenResource: opaque access token without resource= (${strict.tokens.access_token})`,
    );
  }

  // 8. A localhost redirect URI also takes any port (native client).
  {
    const req = authorization({ redirect_uri: "http://localhost:51234/callback" });
    const result = await browse(req.url, { loginHint: "alice@example.com" });
    check(result.location?.startsWith("http://localhost:51234/callback?code="), `localhost redirect: ${result.location}`);
    const tokens = await exchange(req, result, { redirect_uri: "http://localhost:51234/callback" });
    check(tokens.status === 200, `localhost code exchange: ${JSON.stringify(tokens.body)}`);
  }
} catch (err) {
  check(false, `unexpected exception: ${err.stack}`);
} finally {
  await idp.stop();
}

console.log(`idp selftest: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
