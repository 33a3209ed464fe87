// A headless OpenID Provider for end-to-end tests, built on oidc-provider
// (pinned in package.json). It listens on http://127.0.0.1:<ephemeral port>
// and completes logins itself: when the provider sends the browser to its
// interaction URL, the harness signs in the user named by the authorization
// request's login_hint (email or sub) and grants whatever was asked for, so a
// test only has to follow redirects (see browse below).
//
//   const idp = await startIdp({ users: [...], clients: [...], resources: [...] });
//   const { url } = await browse(authorizationUrl, { loginHint: "alice@example.com" });
//   ... exchange url.searchParams.get("code") at idp.issuer + "/token" ...
//   await idp.stop();
//
// Switches a test may flip at any time:
//   idp.denyAcr = true          every login gets acr urn:signoff:test:pwd, whatever was asked
//   idp.forceUser = "<sub>"     every login is done as that user, whatever the login_hint
//   idp.requireTokenResource    when true, the token request must repeat resource= to get
//                               the resource's JWT access token (default false: the resource
//                               granted at the authorization endpoint is used)
// Set IDP_DEBUG=1 in the environment to log the provider's error events.
import { createServer } from "node:http";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import Provider, { errors, interactionPolicy } from "oidc-provider";

export const ACR_PWD = "urn:signoff:test:pwd";
export const ACR_MFA = "urn:signoff:test:mfa";
const SUPPORTED_ACRS = [ACR_PWD, ACR_MFA];
const DEFAULT_RESOURCE_SCOPE = "signoff:read signoff:write signoff:admin";

const epoch = () => Math.floor(Date.now() / 1000);
const debug = !!process.env.IDP_DEBUG;

// A small in-memory store in the shape oidc-provider expects of an adapter.
// One store per provider instance. Revoking a grant drops the tokens issued
// under it (not the interactions or sessions that merely mention it).
const GRANT_BOUND = new Set([
  "AccessToken",
  "AuthorizationCode",
  "RefreshToken",
  "DeviceCode",
  "BackchannelAuthenticationRequest",
  "PreAuthorizedCode",
]);
function memoryAdapter() {
  const entries = new Map(); // "<Model>:<id>" -> { payload, expiresAt }
  const byGrant = new Map(); // grantId -> Set of keys
  const sessionsByUid = new Map(); // session uid -> id
  const byUserCode = new Map(); // user code -> id

  const read = (key) => {
    const entry = entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return class MemoryStore {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      entries.set(key, {
        payload: structuredClone(payload),
        expiresAt: typeof expiresIn === "number" ? Date.now() + expiresIn * 1000 : undefined,
      });
      if (this.model === "Session" && payload.uid) sessionsByUid.set(payload.uid, id);
      if (payload.userCode) byUserCode.set(payload.userCode, id);
      if (payload.grantId && GRANT_BOUND.has(this.model)) {
        if (!byGrant.has(payload.grantId)) byGrant.set(payload.grantId, new Set());
        byGrant.get(payload.grantId).add(key);
      }
    }

    async find(id) {
      const entry = read(this.key(id));
      return entry ? structuredClone(entry.payload) : undefined;
    }

    async findByUid(uid) {
      const id = sessionsByUid.get(uid);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode) {
      const id = byUserCode.get(userCode);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id) {
      const entry = read(this.key(id));
      if (entry) entry.payload.consumed = epoch();
    }

    async destroy(id) {
      entries.delete(this.key(id));
    }

    async revokeByGrantId(grantId) {
      for (const key of byGrant.get(grantId) ?? []) entries.delete(key);
      byGrant.delete(grantId);
    }
  };
}

function signingKeys() {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    keys: [{ ...privateKey.export({ format: "jwk" }), kid: `idp-${randomUUID()}`, alg: "RS256", use: "sig" }],
  };
}

function normalizeUrl(value) {
  return URL.parse(value)?.href ?? value;
}

// The acr values a request asks for: acr_values first, then claims.id_token.acr.
function requestedAcrs(params) {
  const out = String(params.acr_values ?? "")
    .split(" ")
    .filter(Boolean);
  if (params.claims) {
    try {
      const acr = JSON.parse(params.claims)?.id_token?.acr;
      if (acr?.value) out.push(acr.value);
      if (Array.isArray(acr?.values)) out.push(...acr.values);
    } catch {
      // the provider has already validated the claims parameter
    }
  }
  return out;
}

export async function startIdp(options = {}) {
  const users = [];
  const resources = new Set();
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;

  const findUser = (hint) => {
    if (hint === undefined || hint === null || hint === "") return undefined;
    return users.find((u) => u.sub === hint) ?? users.find((u) => u.email?.toLowerCase() === String(hint).toLowerCase());
  };

  const idp = {
    issuer,
    port,
    denyAcr: false,
    forceUser: undefined,
    requireTokenResource: false,
    // every login the harness completed, oldest first:
    // { uid, sub, acr, amr, authTime, clientId, loginHint, requestedAcr }
    logins: [],
    // provider error events seen: { event, error, error_description }
    errors: [],
    provider: undefined,
    allowResource(url) {
      resources.add(url);
      resources.add(normalizeUrl(url));
    },
    addUser(user) {
      if (!user || typeof user.sub !== "string" || !user.sub) throw new TypeError("a user needs a sub");
      users.push({ emailVerified: true, ...user });
    },
    async stop() {
      await new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  for (const user of options.users ?? []) idp.addUser(user);
  for (const url of options.resources ?? []) idp.allowResource(url);
  const resourceScope = options.resourceScope ?? DEFAULT_RESOURCE_SCOPE;

  // Login policy: the default one (which already turns max_age=0 into
  // prompt=login), plus a step-up login when the session's acr is not one of
  // the requested acr_values.
  const { Check, base } = interactionPolicy;
  const policy = base();
  const loginPrompt = policy.get("login");
  loginPrompt.checks.add(
    new Check("acr_values_unmet", "the session's acr is not one of the requested acr_values", (ctx) => {
      const { params, result, session } = ctx.oidc;
      const wanted = String(params.acr_values ?? "").split(" ").filter(Boolean);
      if (!wanted.length || !session.accountId || result?.login) return Check.NO_NEED_TO_PROMPT;
      return wanted.includes(session.acr) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );

  const quietPage = (title) => async (ctx) => {
    ctx.type = "html";
    ctx.body = `<!DOCTYPE html><html><head><title>${title}</title></head><body>${title}</body></html>`;
  };

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    jwks: signingKeys(),
    clients: options.clients ?? [],
    acrValues: SUPPORTED_ACRS,
    // acr, amr and auth_time ride with the openid scope, so every id_token
    // carries them whether or not the request asked for them.
    claims: {
      acr: null,
      sid: null,
      iss: null,
      openid: ["sub", "acr", "amr", "auth_time"],
      email: ["email", "email_verified"],
      profile: ["name"],
    },
    scopes: ["openid", "offline_access"],
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    clientBasedCORS: () => true,
    async findAccount(_ctx, sub) {
      const user = users.find((u) => u.sub === sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        async claims() {
          return {
            sub: user.sub,
            email: user.email,
            email_verified: user.emailVerified !== false,
            name: user.name,
          };
        },
      };
    },
    async extraTokenClaims(ctx) {
      const { entities } = ctx?.oidc ?? {};
      const source = entities?.AuthorizationCode ?? entities?.RefreshToken ?? entities?.DeviceCode;
      if (!source) return undefined;
      const extra = {};
      if (source.acr !== undefined) extra.acr = source.acr;
      if (source.authTime !== undefined) extra.auth_time = source.authTime;
      return extra;
    },
    async issueRefreshToken(_ctx, client) {
      return client.grantTypeAllowed("refresh_token");
    },
    // Tokens outlive the browser session (browse() uses a fresh one each time).
    expiresWithSession: async () => false,
    interactions: {
      policy,
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      introspection: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = "html";
          ctx.body = `<!DOCTYPE html><html><body>${form}</body></html>`;
        },
        postLogoutSuccessSource: quietPage("signed out"),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: async () => !idp.requireTokenResource,
        async getResourceServerInfo(_ctx, indicator) {
          if (!resources.has(indicator) && !resources.has(normalizeUrl(indicator))) {
            throw new errors.InvalidTarget(`resource ${indicator} is not registered with the test IdP`);
          }
          return {
            audience: indicator,
            scope: resourceScope,
            accessTokenFormat: "jwt",
            accessTokenTTL: 3600,
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
      PreAuthorizedCode: 600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    // Error pages as JSON so browse() can report them.
    async renderError(ctx, out) {
      ctx.type = "json";
      ctx.body = out;
    },
  });
  idp.provider = provider;

  // Errors: record them; 500s are harness bugs and always reach stderr.
  for (const event of [
    "authorization.error",
    "grant.error",
    "userinfo.error",
    "jwks.error",
    "discovery.error",
    "end_session.error",
    "server_error",
  ]) {
    provider.on(event, (_ctx, err) => {
      idp.errors.push({ event, error: err?.error ?? err?.message, error_description: err?.error_description });
      if (debug || event === "server_error") console.error(`idp ${event}:`, err);
    });
  }
  provider.on("error", (err) => {
    if (debug) console.error("idp koa error:", err);
  });

  async function loginResult(details) {
    const { params } = details;
    const pick = idp.forceUser ?? params.login_hint;
    const user = findUser(pick);
    if (!user) {
      return {
        error: "access_denied",
        error_description: pick === undefined ? "no login_hint given to the test IdP" : `no test user matches ${pick}`,
      };
    }
    const requested = requestedAcrs(params);
    let acr = requested.find((value) => SUPPORTED_ACRS.includes(value)) ?? ACR_PWD;
    if (idp.denyAcr) acr = ACR_PWD;
    const amr = acr === ACR_MFA ? ["pwd", "otp"] : ["pwd"];
    const ts = epoch();
    idp.logins.push({
      uid: details.uid,
      sub: user.sub,
      acr,
      amr,
      authTime: ts,
      clientId: params.client_id,
      loginHint: params.login_hint,
      requestedAcr: requested,
    });
    return { login: { accountId: user.sub, acr, amr, ts, remember: true } };
  }

  async function consentResult(details) {
    const { params, prompt } = details;
    const accountId = details.session?.accountId ?? details.lastSubmission?.login?.accountId;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId: params.client_id });
    const missing = prompt.details ?? {};
    if (missing.missingOIDCScope?.length) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims?.length) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(" "));
    }
    const grantId = await grant.save();
    return { consent: { grantId } };
  }

  // The interaction "page": decides at once and sends the browser back to
  // the provider's resume endpoint.
  provider.use(async (ctx, next) => {
    if (!/^\/interaction\/[^/]+$/.test(ctx.path)) return next();
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      let result;
      switch (details.prompt.name) {
        case "login":
          result = await loginResult(details);
          break;
        case "consent":
          result = await consentResult(details);
          break;
        default:
          result = {
            error: "access_denied",
            error_description: `the test IdP cannot answer prompt ${details.prompt.name}`,
          };
      }
      const returnTo = await provider.interactionResult(ctx.req, ctx.res, result);
      ctx.status = 303;
      ctx.redirect(returnTo);
    } catch (err) {
      ctx.status = err.statusCode ?? 400;
      ctx.type = "json";
      ctx.body = { error: err.error ?? "invalid_request", error_description: err.error_description ?? err.message };
    }
  });

  server.on("request", provider.callback());
  return idp;
}

// --- browse: play the user's browser ---------------------------------------

// A minimal cookie jar for one origin: honours Path, Max-Age and Expires.
export class CookieJar {
  constructor() {
    this.cookies = [];
  }

  store(requestUrl, setCookieHeaders) {
    for (const header of setCookieHeaders) {
      const [pair, ...attrs] = header.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path;
      let expired = false;
      let expiresAt;
      for (const attr of attrs) {
        const [k, ...rest] = attr.split("=");
        const key = k.trim().toLowerCase();
        const v = rest.join("=").trim();
        if (key === "path" && v.startsWith("/")) path = v;
        if (key === "max-age") {
          const seconds = Number(v);
          if (seconds <= 0) expired = true;
          else expiresAt = Date.now() + seconds * 1000;
        }
        if (key === "expires" && expiresAt === undefined) {
          const when = Date.parse(v);
          if (!Number.isNaN(when)) {
            if (when <= Date.now()) expired = true;
            else expiresAt = when;
          }
        }
      }
      if (!path) {
        const p = new URL(requestUrl).pathname;
        path = p.lastIndexOf("/") > 0 ? p.slice(0, p.lastIndexOf("/")) : "/";
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
      if (!expired) this.cookies.push({ name, value, path, expiresAt });
    }
  }

  header(requestUrl) {
    const p = new URL(requestUrl).pathname;
    const now = Date.now();
    this.cookies = this.cookies.filter((c) => c.expiresAt === undefined || c.expiresAt > now);
    const matches = this.cookies
      .filter((c) => p === c.path || (p.startsWith(c.path) && (c.path.endsWith("/") || p[c.path.length] === "/")))
      .sort((a, b) => b.path.length - a.path.length);
    return matches.map((c) => `${c.name}=${c.value}`).join("; ");
  }
}

function decodeHtml(text) {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

// An auto-submitting form (form_post): { action, method, fields } or undefined.
function parseForm(html) {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const attr = (tag, name) => {
    const m = new RegExp(`\\b${name}="([^"]*)"`, "i").exec(tag);
    return m ? decodeHtml(m[1]) : undefined;
  };
  const fields = {};
  for (const input of form[2].match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, "name");
    if (name !== undefined) fields[name] = attr(input, "value") ?? "";
  }
  return { action: attr(form[1], "action"), method: (attr(form[1], "method") ?? "get").toLowerCase(), fields };
}

// Follows the authorization request through the IdP like a browser and stops
// at the first redirect that leaves the IdP's origin, without fetching it.
// Returns { location, url, status, error, error_description, hops, jar }:
//   location  the Location leaving the IdP (the client's redirect_uri with code,
//             state and iss, or error=...), or null when the IdP answered a page
//   url       location parsed (URL), or null
//   error     error code from the redirect or from the IdP's error page
//   form      when the IdP answered a form_post aimed at the client: { action, fields }
// Options: loginHint (added as login_hint to the first URL), jar (a CookieJar
// to share the IdP session between calls; a fresh one by default).
export async function browse(authorizationUrl, { loginHint, jar = new CookieJar() } = {}) {
  let current = new URL(authorizationUrl);
  if (loginHint !== undefined && loginHint !== null) current.searchParams.set("login_hint", loginHint);
  const origin = current.origin;
  let method = "GET";
  let body;

  for (let hop = 1; hop <= 20; hop++) {
    const headers = { accept: "text/html,application/json" };
    const cookie = jar.header(current);
    if (cookie) headers.cookie = cookie;
    if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(current, { method, headers, body, redirect: "manual" });
    jar.store(current, res.headers.getSetCookie());
    const text = await res.text();

    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, current);
      if (next.origin !== origin) {
        const error = next.searchParams.get("error");
        return {
          location: next.href,
          url: next,
          status: res.status,
          error: error ?? undefined,
          error_description: next.searchParams.get("error_description") ?? undefined,
          hops: hop,
          jar,
        };
      }
      current = next;
      method = "GET";
      body = undefined;
      continue;
    }

    const form = res.status === 200 && /html/i.test(res.headers.get("content-type") ?? "") ? parseForm(text) : undefined;
    if (form?.action) {
      const target = new URL(form.action, current);
      if (target.origin === origin) {
        // e.g. the logout confirmation when a login switches user
        current = target;
        method = form.method === "post" ? "POST" : "GET";
        body = method === "POST" ? new URLSearchParams(form.fields).toString() : undefined;
        if (method === "GET") for (const [k, v] of Object.entries(form.fields)) current.searchParams.set(k, v);
        continue;
      }
      return {
        location: null,
        url: null,
        status: res.status,
        error: form.fields.error,
        error_description: form.fields.error_description,
        form: { action: target.href, fields: form.fields },
        hops: hop,
        jar,
      };
    }

    let json;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return {
      location: null,
      url: null,
      status: res.status,
      error: json?.error ?? `unexpected_response_${res.status}`,
      error_description: json?.error_description ?? text.slice(0, 500),
      hops: hop,
      jar,
    };
  }
  throw new Error(`browse: more than 20 hops, last at ${current.href}`);
}
